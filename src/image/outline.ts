// Outlines of facial regions, as SVG drawn over a face panel, and the legend that names them.
import { REGIONS, type RegionName } from '../domain/regions.ts';

/** One colour per region, the same on both faces and in the legend. */
export const REGION_COLOURS: Record<RegionName, string> = {
  eyes: '#0a84ff',
  brows: '#bf5af2',
  nose: '#ff9f0a',
  mouth: '#ff375f',
  jawline: '#34c759',
  'face shape': '#ffd60a',
};

/**
 * An SVG of `side`×`side` pixels outlining `regions` of a face whose 68 landmarks are in the pixels
 * of a `source`-sized image that was resized to the panel with sharp's `cover` fit (centred crop).
 */
export function outlineSvg(
  landmarks: Float32Array,
  regions: readonly RegionName[],
  source: { width: number; height: number },
  side: number,
): string {
  const scale = side / Math.min(source.width, source.height);
  const dx = (source.width * scale - side) / 2;
  const dy = (source.height * scale - side) / 2;
  const point = (i: number) =>
    `${((landmarks[2 * i] as number) * scale - dx).toFixed(1)},${((landmarks[2 * i + 1] as number) * scale - dy).toFixed(1)}`;
  const paths: string[] = [];
  // The face outline first: it shares the jaw, and the jawline drawn over it stays visible.
  const order = [...REGIONS].sort(
    (a, b) => Number(b.name === 'face shape') - Number(a.name === 'face shape'),
  );
  for (const region of order) {
    if (!regions.includes(region.name)) continue;
    for (const stroke of region.strokes) {
      const tag = stroke.closed ? 'polygon' : 'polyline';
      const points = stroke.points.map(point).join(' ');
      // A dark halo under the colour keeps the line visible on light and dark skin alike.
      paths.push(
        `<${tag} points="${points}" fill="none" stroke="#000" stroke-opacity="0.45" stroke-width="4.5" stroke-linejoin="round" stroke-linecap="round"/>`,
        `<${tag} points="${points}" fill="none" stroke="${REGION_COLOURS[region.name]}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>`,
      );
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}">${paths.join('')}</svg>`;
}

/** A centred legend line: a coloured dot and the label of each outlined region. */
export function outlineLegend(
  entries: readonly { region: RegionName; label: string }[],
  centreX: number,
  y: number,
  font: string,
): string {
  const size = 16;
  // Wide enough for "face shape 100%": labels are ours, never a member's text.
  const slot = 150;
  const left = centreX - (slot * entries.length) / 2;
  return entries
    .map((entry, i) => {
      const x = left + i * slot + 12;
      const colour = REGION_COLOURS[entry.region];
      return (
        `<circle cx="${x}" cy="${y - size / 3}" r="6" fill="${colour}" stroke="#000" stroke-opacity="0.45"/>` +
        `<text x="${x + 12}" y="${y}" font-family="${font}" font-size="${size}" fill="#222">${entry.label}</text>`
      );
    })
    .join('');
}
