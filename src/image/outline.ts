// Outlines of facial regions, as SVG drawn over a face panel, and the legend that names them.
import { REGIONS, type RegionName, regionPolygons } from '../domain/regions.ts';

/** One colour per region, the same on both faces and in the legend. */
export const REGION_COLOURS: Record<RegionName, string> = {
  eyes: '#0a84ff',
  brows: '#bf5af2',
  nose: '#ff9f0a',
  mouth: '#ff375f',
  'jaw and chin': '#34c759',
  'forehead and hairline': '#ffd60a',
  cheeks: '#64d2ff',
};

/**
 * An SVG of `side`×`side` pixels highlighting `regions` of a face whose 68 landmarks are in the pixels
 * of a `source`-sized image that was resized to the panel with sharp's `cover` fit (centred crop): each
 * region is the very area that was masked to measure it, tinted and outlined.
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
  const paths: string[] = [];
  for (const region of REGIONS) {
    if (!regions.includes(region)) continue;
    const colour = REGION_COLOURS[region];
    for (const poly of regionPolygons(region, landmarks)) {
      const points = poly
        .map(([x, y]) => `${(x * scale - dx).toFixed(1)},${(y * scale - dy).toFixed(1)}`)
        .join(' ');
      // A dark halo under the colour keeps the line visible on light and dark skin alike.
      paths.push(
        `<polygon points="${points}" fill="${colour}" fill-opacity="0.22" stroke="#000" stroke-opacity="0.45" stroke-width="4.5" stroke-linejoin="round"/>`,
        `<polygon points="${points}" fill="none" stroke="${colour}" stroke-width="2.5" stroke-linejoin="round"/>`,
      );
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}">${paths.join('')}</svg>`;
}

/** A centred legend line: a coloured dot and the label of each highlighted region. */
export function outlineLegend(
  entries: readonly { region: RegionName; label: string }[],
  centreX: number,
  y: number,
  font: string,
): string {
  const size = 15;
  // Each slot as wide as its label (about 0.6 em a character in a sans-serif); labels are ours, never a member's text.
  const widths = entries.map((e) => 34 + e.label.length * size * 0.6);
  let x = centreX - widths.reduce((a, b) => a + b, 0) / 2;
  return entries
    .map((entry, i) => {
      const dot = x + 8;
      x += widths[i] as number;
      const colour = REGION_COLOURS[entry.region];
      return (
        `<circle cx="${dot}" cy="${y - size / 3}" r="6" fill="${colour}" stroke="#000" stroke-opacity="0.45"/>` +
        `<text x="${dot + 12}" y="${y}" font-family="${font}" font-size="${size}" fill="#222">${entry.label}</text>`
      );
    })
    .join('');
}
