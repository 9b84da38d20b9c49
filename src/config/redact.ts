/** Shown instead of a secret in logs and error messages. */
export const REDACTED = '[redacted]';

// Shapes of platform tokens, so that a token reaching a log line through an unexpected path (an SDK error
// message, a URL) is still hidden even when it is not one of the configured secrets.
const TOKEN_PATTERNS: [RegExp, string][] = [
  // Discord bot tokens: base64 user id, timestamp, HMAC (discord.js debug output masks only the HMAC).
  [/\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.(?:[A-Za-z0-9_-]{27,}|\*+)/g, REDACTED],
  // Slack bot, user, app-level and refresh tokens.
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]{10,}/g, REDACTED],
  // Authorization headers as SDKs print them.
  [/\b(Bot|Bearer) [A-Za-z0-9._-]{20,}/g, `$1 ${REDACTED}`],
  // Interaction tokens sit in REST paths and let anyone reply as the bot for 15 minutes.
  [/(\/(?:interactions|webhooks)\/\d+\/)[A-Za-z0-9._-]{20,}/g, `$1${REDACTED}`],
];

/** Replaces every configured secret, and anything shaped like a platform token, in `text`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Short values would blank out ordinary words; real tokens are long.
    if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of TOKEN_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
