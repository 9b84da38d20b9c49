// The one table of localised command names and descriptions, for Discord's `name_localizations` and
// `description_localizations`. Replies stay in English (docs/discord.md). Keys are the path of a command,
// subcommand or option: `gallery/rename/to`; menu commands (`target`) are keyed by their label and have
// a name only, since Discord shows no description for them. `test/unit/discord-locales.test.ts` checks that
// every command, subcommand and option has a row and that each name follows Discord's naming rules.

/** The locales Lookalike's commands are translated into (Discord's locale codes). */
export const LOCALES = ['de', 'fr', 'es-ES', 'pt-BR', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];

/** `[name, description]`; menu commands have `[label]`. */
export type Localized = readonly [name: string, description?: string];
type Row = Readonly<Record<Locale, Localized>>;

function row(de: Localized, fr: Localized, es: Localized, pt: Localized, ja: Localized): Row {
  return { de, fr, 'es-ES': es, 'pt-BR': pt, ja };
}

// `/enroll`'s image2…image5 share their wording.
const extraImages = Object.fromEntries(
  [2, 3, 4, 5].map((n) => [
    `enroll/image${n}`,
    row(
      [`bild${n}`, 'Ein weiteres Foto derselben Person'],
      [`image${n}`, 'Une autre photo de la même personne'],
      [`imagen${n}`, 'Otra foto de la misma persona'],
      [`imagem${n}`, 'Outra foto da mesma pessoa'],
      [`画像${n}`, '同じ人物の別の写真'],
    ),
  ]),
);

/** Translations by command path. */
export const TRANSLATIONS: Readonly<Record<string, Row>> = {
  lookalike: row(
    ['doppelgänger', 'Finde heraus, welchem Promi du ähnlich siehst'],
    ['sosie', 'Découvre à quelle célébrité tu ressembles'],
    ['parecido', 'Descubre a qué famoso te pareces'],
    ['sósia', 'Descubra com qual celebridade você se parece'],
    ['そっくりさん', 'どの有名人に似ているか調べます'],
  ),
  'lookalike/image': row(
    ['bild', 'Ein Selfie (Gruppenfotos gehen auch)'],
    ['image', 'Un selfie (les photos de groupe marchent aussi)'],
    ['imagen', 'Un selfie (también sirven fotos de grupo)'],
    ['imagem', 'Uma selfie (fotos em grupo também funcionam)'],
    ['画像', '自撮り写真（集合写真も可）'],
  ),
  'lookalike/user': row(
    ['mitglied', 'Stattdessen das Profilbild dieses Mitglieds verwenden'],
    ['membre', 'Utiliser plutôt la photo de profil de ce membre'],
    ['miembro', 'Usar la foto de perfil de este miembro'],
    ['membro', 'Usar a foto de perfil deste membro'],
    ['メンバー', 'このメンバーのプロフィール画像を使います'],
  ),
  compare: row(
    ['vergleichen', 'Sind die Personen auf zwei Fotos dieselbe Person?'],
    ['comparer', 'Les personnes de deux photos sont-elles la même personne ?'],
    ['comparar', '¿Es la misma persona en las dos fotos?'],
    ['comparar', 'As pessoas em duas fotos são a mesma pessoa?'],
    ['比較', '2枚の写真の人物が同一人物か調べます'],
  ),
  'compare/image1': row(
    ['bild1', 'Das erste Foto'],
    ['image1', 'La première photo'],
    ['imagen1', 'La primera foto'],
    ['imagem1', 'A primeira foto'],
    ['画像1', '1枚目の写真'],
  ),
  'compare/image2': row(
    ['bild2', 'Das zweite Foto'],
    ['image2', 'La deuxième photo'],
    ['imagen2', 'La segunda foto'],
    ['imagem2', 'A segunda foto'],
    ['画像2', '2枚目の写真'],
  ),
  gallery: row(
    ['galerie', 'Die Promi-Galerie dieses Servers ansehen oder ändern'],
    ['galerie', 'Voir ou modifier la galerie de célébrités de ce serveur'],
    ['galería', 'Ver o cambiar la galería de famosos de este servidor'],
    ['galeria', 'Ver ou alterar a galeria de celebridades deste servidor'],
    ['ギャラリー', 'このサーバーの有名人ギャラリーを表示・変更します'],
  ),
  'gallery/list': row(
    ['liste', 'Die Personen in der Galerie auflisten'],
    ['liste', 'Lister les personnes de la galerie'],
    ['lista', 'Lista las personas de la galería'],
    ['lista', 'Listar as pessoas da galeria'],
    ['一覧', 'ギャラリーの人物を一覧表示します'],
  ),
  'gallery/list/page': row(
    ['seite', 'Seitennummer'],
    ['page', 'Numéro de page'],
    ['página', 'Número de página'],
    ['página', 'Número da página'],
    ['ページ', 'ページ番号'],
  ),
  'gallery/remove': row(
    ['entfernen', 'Eine Person und alle ihre Fotos entfernen (Admins)'],
    ['retirer', 'Retirer une personne et toutes ses photos (admins)'],
    ['quitar', 'Quita a una persona y todas sus fotos (admins)'],
    ['remover', 'Remover uma pessoa e todas as fotos dela (admins)'],
    ['削除', '人物とその写真をすべて削除します（管理者）'],
  ),
  'gallery/remove/name': row(
    ['name', 'Wer entfernt werden soll'],
    ['nom', 'Qui retirer'],
    ['nombre', 'A quién quitar'],
    ['nome', 'Quem remover'],
    ['名前', '削除する人物'],
  ),
  'gallery/rename': row(
    ['umbenennen', 'Eine Person umbenennen (Admins)'],
    ['renommer', 'Renommer une personne (admins)'],
    ['renombrar', 'Cambia el nombre de una persona (admins)'],
    ['renomear', 'Renomear uma pessoa (admins)'],
    ['名前変更', '人物の名前を変更します（管理者）'],
  ),
  'gallery/rename/from': row(
    ['von', 'Aktueller Name'],
    ['de', 'Nom actuel'],
    ['de', 'Nombre actual'],
    ['de', 'Nome atual'],
    ['変更前', '現在の名前'],
  ),
  'gallery/rename/to': row(
    ['zu', 'Neuer Name'],
    ['vers', 'Nouveau nom'],
    ['a', 'Nombre nuevo'],
    ['para', 'Novo nome'],
    ['変更後', '新しい名前'],
  ),
  'gallery/import': row(
    [
      'importieren',
      'Personen aus einem ZIP (ein Fotoordner pro Person) oder einem Paket hinzufügen (Admins)',
    ],
    ['importer', 'Ajouter des personnes depuis un ZIP (un dossier par personne) ou un pack (admins)'],
    ['importar', 'Añade personas desde un ZIP (una carpeta por persona) o un paquete (admins)'],
    ['importar', 'Adicionar pessoas de um ZIP (uma pasta por pessoa) ou de um pacote (admins)'],
    ['インポート', 'ZIP（1人1フォルダの写真）またはパックから人物を追加します（管理者）'],
  ),
  'gallery/import/file': row(
    ['datei', 'Ein .zip: Ordner <person>/<foto>.jpg oder ein Paket aus /gallery export'],
    ['fichier', 'Un .zip : dossiers <personne>/<photo>.jpg, ou un pack de /gallery export'],
    ['archivo', 'Un .zip: carpetas <persona>/<foto>.jpg, o un paquete de /gallery export'],
    ['arquivo', 'Um .zip: pastas <pessoa>/<foto>.jpg, ou um pacote do /gallery export'],
    ['ファイル', '.zip：<人物>/<写真>.jpg のフォルダ、または /gallery export のパック'],
  ),
  'gallery/export': row(
    ['exportieren', 'Diese Galerie als Paket herunterladen, um sie anderswo zu importieren (Admins)'],
    ['exporter', 'Télécharger cette galerie en pack, pour l’importer ailleurs (admins)'],
    ['exportar', 'Descarga esta galería como paquete para importarla en otro sitio (admins)'],
    ['exportar', 'Baixar esta galeria como pacote para importá-la em outro lugar (admins)'],
    ['エクスポート', 'このギャラリーをパックとしてダウンロードします（管理者）'],
  ),
  enroll: row(
    ['aufnehmen', 'Eine Person zur Galerie dieses Servers hinzufügen (Admins)'],
    ['inscrire', 'Ajouter une personne à la galerie de ce serveur (admins)'],
    ['añadir', 'Añade una persona a la galería de este servidor (admins)'],
    ['cadastrar', 'Adicionar uma pessoa à galeria deste servidor (admins)'],
    ['登録', 'このサーバーのギャラリーに人物を追加します（管理者）'],
  ),
  'enroll/name': row(
    ['name', 'Wer auf den Fotos ist, z. B. Brad Pitt'],
    ['nom', 'Qui est sur les photos, p. ex. Brad Pitt'],
    ['nombre', 'Quién sale en las fotos, p. ej. Brad Pitt'],
    ['nome', 'Quem está nas fotos, por exemplo Brad Pitt'],
    ['名前', '写真に写っている人物（例：Brad Pitt）'],
  ),
  'enroll/image': row(
    ['bild', 'Ein Foto mit genau einem Gesicht'],
    ['image', 'Une photo avec un seul visage'],
    ['imagen', 'Una foto con una sola cara'],
    ['imagem', 'Uma foto com exatamente um rosto'],
    ['画像', '顔がちょうど1つ写っている写真'],
  ),
  ...extraImages,
  watch: row(
    ['beobachten', 'Jedes Foto in diesem Kanal beantworten (Admins)'],
    ['surveiller', 'Répondre à chaque photo publiée dans ce salon (admins)'],
    ['vigilar', 'Responde a cada foto publicada en este canal (admins)'],
    ['observar', 'Responder a cada foto postada neste canal (admins)'],
    ['監視', 'このチャンネルに投稿された写真すべてに返信します（管理者）'],
  ),
  'watch/on': row(
    ['an', 'Jedes Foto in diesem Kanal beantworten'],
    ['activer', 'Répondre à chaque photo publiée dans ce salon'],
    ['activar', 'Responde a cada foto publicada en este canal'],
    ['ativar', 'Responder a cada foto postada neste canal'],
    ['オン', 'このチャンネルの写真すべてに返信します'],
  ),
  'watch/off': row(
    ['aus', 'Hier nur auf Befehle und @Erwähnungen antworten'],
    ['désactiver', 'Ne répondre ici qu’aux commandes et aux @mentions'],
    ['desactivar', 'Aquí solo responde a comandos y @menciones'],
    ['desativar', 'Responder aqui só a comandos e @menções'],
    ['オフ', 'ここではコマンドと@メンションにだけ返信します'],
  ),
  forget: row(
    ['vergessen', 'Alles löschen, was Lookalike über dich gespeichert hat'],
    ['oublier', 'Effacer tout ce que Lookalike a enregistré sur toi'],
    ['olvidar', 'Borra todo lo que Lookalike guardó sobre ti'],
    ['esquecer', 'Apagar tudo o que o Lookalike guardou sobre você'],
    ['忘れる', 'Lookalike が保存したあなたのデータをすべて削除します'],
  ),
  game: row(
    ['spiel', 'Ein Promi-Spiel mit diesem Kanal spielen'],
    ['jeu', 'Jouer à un jeu de célébrités avec ce salon'],
    ['juego', 'Juega a un juego de famosos con este canal'],
    ['jogo', 'Jogar um jogo de celebridades com este canal'],
    ['ゲーム', 'このチャンネルで有名人ゲームを遊びます'],
  ),
  'game/guess': row(
    ['raten', 'Wer ist der Promi? Rate das Gesicht, während es schärfer wird'],
    ['deviner', 'Qui est cette célébrité ? Devine le visage à mesure qu’il se précise'],
    ['adivinar', '¿Quién es ese famoso? Adivina la cara mientras se aclara'],
    ['adivinhar', 'Quem é a celebridade? Adivinhe o rosto enquanto ele fica nítido'],
    ['当てる', 'この有名人は誰？ 少しずつ鮮明になる顔を当てよう'],
  ),
  'game/guess/rounds': row(
    ['runden', 'Anzahl der Runden (Standard 5)'],
    ['manches', 'Nombre de manches (5 par défaut)'],
    ['rondas', 'Número de rondas (5 por defecto)'],
    ['rodadas', 'Número de rodadas (padrão 5)'],
    ['ラウンド', 'ラウンド数（既定 5）'],
  ),
  'game/battle': row(
    ['duell', 'Lookalike-Duell: Wessen Selfie sieht einem Promi am ähnlichsten?'],
    ['duel', 'Duel de sosies : quel selfie ressemble le plus à une célébrité ?'],
    ['duelo', 'Duelo de parecidos: ¿qué selfie se parece más a un famoso?'],
    ['duelo', 'Duelo de sósias: qual selfie mais se parece com uma celebridade?'],
    ['バトル', 'そっくりバトル：有名人に一番似ている自撮りは？'],
  ),
  'game/battle/celebrity': row(
    ['promi', 'Jemand aus der Galerie'],
    ['célébrité', 'Quelqu’un de la galerie'],
    ['famoso', 'Alguien de la galería'],
    ['celebridade', 'Alguém da galeria'],
    ['有名人', 'ギャラリーにいる人物'],
  ),
  'game/battle/minutes': row(
    ['minuten', 'Wie lange das Duell dauert (Standard 2 Minuten)'],
    ['minutes', 'Durée du duel (2 minutes par défaut)'],
    ['minutos', 'Cuánto dura el duelo (2 minutos por defecto)'],
    ['minutos', 'Quanto tempo dura o duelo (padrão 2 minutos)'],
    ['分', 'バトルの長さ（既定 2 分）'],
  ),
  'game/twins': row(
    ['zwillinge', 'Zwillingssuche: Welche zwei Mitglieder sehen sich am ähnlichsten?'],
    ['jumeaux', 'Chasse aux jumeaux : quels deux membres se ressemblent le plus ?'],
    ['gemelos', 'Buscagemelos: ¿qué dos miembros se parecen más?'],
    ['gêmeos', 'Caça-gêmeos: quais dois membros mais se parecem?'],
    ['双子', '双子探し：一番似ている2人のメンバーは？'],
  ),
  'game/twins/minutes': row(
    ['minuten', 'Wie lange man beitreten kann (Standard 3 Minuten)'],
    ['minutes', 'Durée des inscriptions (3 minutes par défaut)'],
    ['minutos', 'Cuánto dura la inscripción (3 minutos por defecto)'],
    ['minutos', 'Quanto tempo dura a entrada (padrão 3 minutos)'],
    ['分', '参加受付の長さ（既定 3 分）'],
  ),
  'game/join': row(
    ['beitreten', 'Mit einem Selfie der Zwillingssuche beitreten'],
    ['rejoindre', 'Rejoindre la chasse aux jumeaux avec un selfie'],
    ['unirse', 'Únete al buscagemelos con un selfie'],
    ['entrar', 'Entrar na caça-gêmeos com uma selfie'],
    ['参加', '自撮りで双子探しに参加します'],
  ),
  'game/join/image': row(
    ['bild', 'Ein Selfie (nur für dieses Spiel behalten)'],
    ['image', 'Un selfie (gardé seulement pour cette partie)'],
    ['imagen', 'Un selfie (solo se guarda para esta partida)'],
    ['imagem', 'Uma selfie (guardada só para este jogo)'],
    ['画像', '自撮り（このゲームの間だけ保存）'],
  ),
  'game/join/keep': row(
    ['behalten', 'Mein Selfie für spätere Spiele behalten, bis /forget'],
    ['garder', 'Garder mon selfie pour les prochaines parties, jusqu’à /forget'],
    ['guardar', 'Guarda mi selfie para otras partidas, hasta /forget'],
    ['manter', 'Manter minha selfie para próximos jogos, até /forget'],
    ['保存', '/forget するまで自撮りを次のゲーム用に保存します'],
  ),
  'game/submit': row(
    ['einreichen', 'Ein Selfie ins Lookalike-Duell schicken'],
    ['soumettre', 'Inscrire un selfie au duel de sosies'],
    ['enviar', 'Presenta un selfie al duelo de parecidos'],
    ['enviar', 'Inscrever uma selfie no duelo de sósias'],
    ['提出', 'そっくりバトルに自撮りを出します'],
  ),
  'game/submit/image': row(
    ['bild', 'Ein Selfie (bewertet, nie gespeichert)'],
    ['image', 'Un selfie (noté, jamais gardé)'],
    ['imagen', 'Un selfie (se puntúa, nunca se guarda)'],
    ['imagem', 'Uma selfie (pontuada, nunca guardada)'],
    ['画像', '自撮り（採点のみ、保存しません）'],
  ),
  'game/stop': row(
    ['stopp', 'Das Spiel in diesem Kanal jetzt beenden (wer es gestartet hat, oder Admins)'],
    ['arrêter', 'Terminer la partie de ce salon (son lanceur ou les admins)'],
    ['parar', 'Termina ya la partida de este canal (quien la empezó o admins)'],
    ['parar', 'Encerrar agora o jogo deste canal (quem o iniciou ou admins)'],
    ['終了', 'このチャンネルのゲームを終了します（開始した人か管理者）'],
  ),
  leaderboard: row(
    ['bestenliste', 'Die Spiel-Bestenliste dieses Kanals'],
    ['classement', 'Le classement des jeux de ce salon'],
    ['clasificación', 'La clasificación de juegos de este canal'],
    ['placar', 'O placar de jogos deste canal'],
    ['ランキング', 'このチャンネルのゲームランキング'],
  ),
  help: row(
    ['hilfe', 'So benutzt du Lookalike'],
    ['aide', 'Comment utiliser Lookalike'],
    ['ayuda', 'Cómo usar Lookalike'],
    ['ajuda', 'Como usar o Lookalike'],
    ['ヘルプ', 'Lookalike の使い方'],
  ),
  'Who do they look like?': row(
    ['Wem sieht die Person ähnlich?'],
    ['À qui ressemblent-ils ?'],
    ['¿A quién se parecen?'],
    ['Com quem se parecem?'],
    ['誰に似ている？'],
  ),
  'Who does this member look like?': row(
    ['Wem sieht das Mitglied ähnlich?'],
    ['À qui ressemble ce membre ?'],
    ['¿A quién se parece este miembro?'],
    ['Com quem este membro se parece?'],
    ['このメンバーは誰に似ている？'],
  ),
};

/** `name_localizations` and `description_localizations` for a path; empty maps where it has no row. */
export function localizations(path: string): {
  names: Partial<Record<Locale, string>>;
  descriptions: Partial<Record<Locale, string>>;
} {
  const found = TRANSLATIONS[path];
  const names: Partial<Record<Locale, string>> = {};
  const descriptions: Partial<Record<Locale, string>> = {};
  if (!found) return { names, descriptions };
  for (const locale of LOCALES) {
    const [name, description] = found[locale];
    names[locale] = name;
    if (description !== undefined) descriptions[locale] = description;
  }
  return { names, descriptions };
}
