/**
 * Drawings of the demo instruments (SVG, 800 × 600): one shape per kind of instrument, in the colour of its category
 * class, the instrument's model on its plate, standing on a lab bench. demo-pictures.ts renders them with sharp.
 * No external image is used.
 */

export type Shape =
  | 'electronMicroscope'
  | 'massSpec'
  | 'xray'
  | 'spectrometer'
  | 'chromatograph'
  | 'nmr'
  | 'microscope'
  | 'analyzer'
  | 'centrifuge'
  | 'testingMachine'
  | 'inspection'
  | 'oscilloscope'
  | 'rack'
  | 'generic';

/** The tints of the category classes 01–15, the same as the web's placeholder (InstrumentThumb.vue). */
const TINTS = [
  '#0b4ea2',
  '#0f766e',
  '#7c3aed',
  '#b45309',
  '#0369a1',
  '#15803d',
  '#9d174d',
  '#4338ca',
  '#be123c',
  '#1d4ed8',
  '#a16207',
  '#0e7490',
  '#6d28d9',
  '#334155',
  '#475569',
];
export const tintOf = (categoryCode: string) => TINTS[(Number(categoryCode.slice(0, 2)) || 1) - 1] ?? TINTS[0];

const BY_SUBCLASS: Record<string, Shape> = {
  '0101': 'electronMicroscope',
  '0102': 'massSpec',
  '0103': 'xray',
  '0104': 'spectrometer',
  '0105': 'chromatograph',
  '0106': 'nmr',
  '0107': 'spectrometer',
  '0108': 'microscope',
  '0109': 'spectrometer',
  '0110': 'analyzer',
  '0111': 'spectrometer',
  '0112': 'centrifuge',
  '0113': 'analyzer',
  '0201': 'testingMachine',
  '0202': 'generic',
  '0203': 'spectrometer',
  '0204': 'oscilloscope',
  '0205': 'analyzer',
  '0206': 'inspection',
  '0303': 'testingMachine',
  '0304': 'oscilloscope',
  '0305': 'oscilloscope',
};
const BY_CLASS: Record<string, Shape> = {
  '08': 'oscilloscope',
  '09': 'analyzer',
  '10': 'inspection',
  '11': 'inspection',
  '13': 'centrifuge',
  '14': 'rack',
};

/** The drawing of a category: by its subclass (0101 电子光学仪器 …), else its class, else a generic instrument. */
export function shapeOf(categoryCode: string): Shape {
  return BY_SUBCLASS[categoryCode.slice(0, 4)] ?? BY_CLASS[categoryCode.slice(0, 2)] ?? 'generic';
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A colour between `hex` and white (`t` = 0 … 1 towards white). */
function mix(hex: string, t: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.round(v + (255 - v) * t));
  return `#${ch.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

const BENCH = 470;
const r = (x: number, y: number, w: number, h: number, fill: string, extra = '') =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}" ${extra}/>`;
/** A box with a lit top edge and a darker outline: the body of most instruments. */
const box = (x: number, y: number, w: number, h: number, rx = 10) =>
  r(x, y, w, h, 'url(#body)', `rx="${rx}" stroke="#9aa5b4" stroke-width="2"`) +
  r(x + 4, y + 3, w - 8, 5, '#ffffff', `rx="2" opacity=".8"`);
const screen = (x: number, y: number, w: number, h: number) =>
  r(x, y, w, h, 'url(#glass)', 'rx="4" stroke="#475569" stroke-width="2"') +
  `<polyline points="${trace(x + 8, y + h * 0.7, w - 16, h * 0.45)}" fill="none" stroke="url(#glow)" stroke-width="3" stroke-linejoin="round"/>`;
function trace(x: number, y: number, w: number, h: number): string {
  const pts: string[] = [];
  for (let i = 0; i <= 16; i++) {
    const peak = i === 6 ? 1 : i === 11 ? 0.6 : i === 9 ? 0.25 : ((i * 37) % 7) / 40;
    pts.push(`${(x + (w * i) / 16).toFixed(1)},${(y - h * peak).toFixed(1)}`);
  }
  return pts.join(' ');
}
const knob = (cx: number, cy: number, rad = 11) =>
  `<circle cx="${cx}" cy="${cy}" r="${rad}" fill="url(#knob)" stroke="#64748b" stroke-width="2"/><line x1="${cx}" y1="${cy}" x2="${cx}" y2="${cy - rad + 3}" stroke="#334155" stroke-width="2"/>`;
const led = (cx: number, cy: number, on = true) =>
  `<circle cx="${cx}" cy="${cy}" r="5" fill="${on ? '#22c55e' : '#f59e0b'}" stroke="#14532d" stroke-width="1"/>`;
const accent = (x: number, y: number, w: number, h: number) => r(x, y, w, h, 'url(#accent)', 'rx="3"');
const vents = (x: number, y: number, w: number, n: number) =>
  Array.from({ length: n }, (_, i) => r(x, y + i * 9, w, 4, '#b8c1cc', 'rx="2"')).join('');
/** The plate with the model text, centred at (cx, cy). */
function plate(cx: number, cy: number, model: string, width = 170) {
  const text = model.length > 22 ? `${model.slice(0, 21)}…` : model;
  const size = text.length > 14 ? 17 : 22;
  // DejaVu Sans Bold is about 0.7 em per character, with the letter spacing
  const w = Math.max(width, Math.round(text.length * (size * 0.72 + 1) + 28));
  return (
    r(cx - w / 2, cy - 18, w, 36, '#1f2937', 'rx="5"') +
    `<text x="${cx}" y="${cy + size / 3}" font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold" font-size="${size}" fill="#f8fafc" text-anchor="middle" letter-spacing="1">${esc(text)}</text>`
  );
}
/** A computer monitor on the bench, at x (the workstation most large instruments come with). */
const monitor = (x: number, w = 190) =>
  r(x + w / 2 - 12, BENCH - 50, 24, 40, '#64748b') +
  r(x + w / 2 - 45, BENCH - 12, 90, 12, '#475569', 'rx="4"') +
  r(x, BENCH - 50 - w * 0.62, w, w * 0.62, '#1f2937', 'rx="8"') +
  screen(x + 9, BENCH - 41 - w * 0.62, w - 18, w * 0.62 - 18);

/** A drawing; `p` draws the model's plate centred at (cx, cy), at least `width` wide. */
type Draw = (p: (cx: number, cy: number, width?: number) => string) => string;
const DRAW: Record<Shape, Draw> = {
  electronMicroscope: (p) =>
    box(80, 300, 300, 170) +
    accent(80, 430, 300, 14) +
    vents(110, 330, 90, 6) +
    box(150, 232, 160, 74, 8) +
    `<circle cx="230" cy="270" r="22" fill="#cbd5e1" stroke="#64748b" stroke-width="3"/>` +
    r(196, 70, 68, 165, 'url(#metal)', 'rx="6" stroke="#8b96a5" stroke-width="2"') +
    [100, 140, 180].map((y) => r(188, y, 84, 14, 'url(#accent)', 'rx="4"')).join('') +
    r(206, 50, 48, 24, '#94a3b8', 'rx="6"') +
    p(260, 382, 180) +
    r(440, 350, 300, 120, 'url(#body)', 'rx="8" stroke="#9aa5b4" stroke-width="2"') +
    knob(480, 400) +
    knob(520, 400) +
    monitor(520, 200),
  massSpec: (p) =>
    box(90, 200, 480, 270) +
    accent(90, 200, 480, 20) +
    r(120, 250, 200, 150, '#e8edf3', 'rx="8" stroke="#a8b3c1" stroke-width="2"') +
    vents(140, 270, 160, 12) +
    led(360, 260) +
    led(385, 260) +
    led(410, 260, false) +
    p(460, 330, 190) +
    r(355, 380, 190, 60, '#dbe2ea', 'rx="6"') +
    box(600, 300, 110, 170, 8) +
    [320, 360, 400].map((y) => r(615, y, 80, 28, '#e2e8f0', 'rx="4" stroke="#a8b3c1"')).join('') +
    led(690, 334),
  xray: (p) =>
    box(150, 80, 420, 390, 12) +
    accent(150, 80, 420, 26) +
    r(190, 130, 300, 230, 'url(#glass)', 'rx="10" stroke="#475569" stroke-width="3"') +
    `<circle cx="340" cy="250" r="80" fill="none" stroke="#94a3b8" stroke-width="8"/>` +
    `<circle cx="340" cy="250" r="14" fill="#cbd5e1"/>` +
    `<line x1="340" y1="250" x2="270" y2="200" stroke="#e2e8f0" stroke-width="10" stroke-linecap="round"/>` +
    `<line x1="340" y1="250" x2="410" y2="200" stroke="#e2e8f0" stroke-width="10" stroke-linecap="round"/>` +
    `<circle cx="${525}" cy="150" r="12" fill="#f59e0b" stroke="#92400e" stroke-width="2"/>` +
    knob(525, 200) +
    knob(525, 240) +
    p(340, 410, 200) +
    monitor(600, 170),
  spectrometer: (p) =>
    box(110, 290, 460, 180) +
    `<path d="M140 290 L170 230 L380 230 L400 290 Z" fill="url(#body)" stroke="#9aa5b4" stroke-width="2"/>` +
    r(190, 244, 170, 12, 'url(#accent)', 'rx="4"') +
    accent(110, 448, 460, 10) +
    screen(420, 320, 120, 70) +
    led(440, 412) +
    led(462, 412) +
    p(250, 360, 200) +
    vents(140, 400, 200, 4) +
    monitor(600, 170),
  chromatograph: (p) =>
    [0, 1, 2, 3]
      .map((i) => {
        const y = 180 + i * 72;
        return box(200, y, 240, 68, 6) + led(222, y + 22, i !== 2) + r(250, y + 16, 110, 12, '#dbe2ea', 'rx="3"');
      })
      .join('') +
    r(200, 140, 240, 40, '#e2e8f0', 'rx="4" stroke="#9aa5b4" stroke-width="2"') +
    [230, 290, 350].map((x) => bottle(x, 140)).join('') +
    accent(200, 460, 240, 10) +
    p(320, 312, 170) +
    monitor(500, 200),
  nmr: (p) =>
    `<ellipse cx="330" cy="120" rx="130" ry="30" fill="#e2e8f0" stroke="#9aa5b4" stroke-width="2"/>` +
    r(200, 120, 260, 280, 'url(#metal)', 'stroke="#8b96a5" stroke-width="2"') +
    `<ellipse cx="330" cy="400" rx="130" ry="30" fill="url(#metal)" stroke="#8b96a5" stroke-width="2"/>` +
    accent(200, 180, 260, 22) +
    accent(200, 340, 260, 12) +
    r(316, 60, 28, 70, '#94a3b8', 'rx="6"') +
    [230, 320, 420].map((x) => r(x, 420, 20, 50, '#475569', 'rx="4"')).join('') +
    p(330, 270, 190) +
    box(560, 250, 170, 220, 8) +
    screen(580, 280, 130, 80) +
    led(595, 390) +
    led(620, 390),
  microscope: (p) =>
    r(150, 430, 280, 40, 'url(#body)', 'rx="10" stroke="#9aa5b4" stroke-width="2"') +
    `<path d="M330 430 L330 240 Q330 170 270 150 L240 150 L240 190 L280 200 Q300 210 300 250 L300 430 Z" fill="url(#body)" stroke="#9aa5b4" stroke-width="2"/>` +
    r(170, 330, 170, 16, '#475569', 'rx="3"') +
    r(215, 280, 30, 50, '#64748b', 'rx="4"') +
    r(185, 120, 110, 50, 'url(#body)', 'rx="8" stroke="#9aa5b4" stroke-width="2"') +
    `<path d="M205 120 L180 70 L200 62 L225 118 Z M255 118 L270 62 L292 70 L272 120 Z" fill="#334155"/>` +
    r(225, 60, 30, 62, '#94a3b8', 'rx="4"') +
    accent(300, 300, 30, 60) +
    knob(345, 390, 16) +
    p(290, 450, 170) +
    monitor(520, 200),
  analyzer: (p) =>
    box(140, 260, 400, 210, 14) +
    r(170, 230, 220, 40, 'url(#body)', 'rx="10" stroke="#9aa5b4" stroke-width="2"') +
    accent(140, 300, 400, 14) +
    r(400, 200, 120, 90, '#1f2937', 'rx="6" transform="rotate(-12 460 245)"') +
    r(408, 208, 104, 74, 'url(#glass)', 'rx="4" transform="rotate(-12 460 245)"') +
    r(180, 340, 150, 70, '#e8edf3', 'rx="6" stroke="#a8b3c1"') +
    led(200, 440) +
    led(222, 440) +
    p(440, 380, 170) +
    monitor(580, 170),
  centrifuge: (p) =>
    `<path d="M150 470 L150 300 Q150 250 200 250 L520 250 Q570 250 570 300 L570 470 Z" fill="url(#body)" stroke="#9aa5b4" stroke-width="2"/>` +
    `<ellipse cx="330" cy="262" rx="150" ry="18" fill="#cbd5e1" stroke="#94a3b8" stroke-width="2"/>` +
    accent(150, 300, 420, 14) +
    screen(400, 330, 140, 60) +
    knob(430, 425) +
    knob(480, 425) +
    p(260, 380, 180) +
    vents(180, 420, 140, 4),
  testingMachine: (p) =>
    r(220, 400, 330, 70, 'url(#body)', 'rx="8" stroke="#9aa5b4" stroke-width="2"') +
    r(250, 80, 30, 325, 'url(#metal)', 'stroke="#8b96a5" stroke-width="2"') +
    r(490, 80, 30, 325, 'url(#metal)', 'stroke="#8b96a5" stroke-width="2"') +
    r(230, 60, 310, 36, 'url(#accent)', 'rx="6"') +
    r(235, 190, 300, 40, 'url(#accent)', 'rx="6"') +
    r(365, 230, 40, 50, '#475569', 'rx="4"') +
    r(378, 280, 14, 60, '#cbd5e1') +
    r(365, 340, 40, 50, '#475569', 'rx="4"') +
    p(385, 435, 170) +
    box(590, 300, 140, 170, 8) +
    screen(605, 320, 110, 70) +
    knob(630, 425) +
    knob(690, 425),
  inspection: (p) =>
    box(120, 110, 440, 360, 12) +
    accent(120, 110, 440, 24) +
    r(160, 160, 250, 270, '#e8edf3', 'rx="8" stroke="#a8b3c1" stroke-width="2"') +
    `<circle cx="285" cy="270" r="60" fill="url(#glass)" stroke="#475569" stroke-width="6"/>` +
    r(390, 270, 12, 60, '#94a3b8', 'rx="4"') +
    `<circle cx="500" cy="160" r="14" fill="#f59e0b" stroke="#92400e" stroke-width="2"/>` +
    screen(440, 200, 100, 70) +
    knob(470, 310) +
    p(285, 400, 180) +
    monitor(600, 160),
  oscilloscope: (p) =>
    box(150, 230, 500, 240, 12) +
    accent(150, 230, 500, 16) +
    screen(180, 265, 270, 170) +
    [0, 1, 2].flatMap((i) => [0, 1].map((j) => knob(495 + j * 60, 290 + i * 50, 14))).join('') +
    [490, 530, 570, 610].map((x) => `<circle cx="${x}" cy="448" r="8" fill="#94a3b8" stroke="#475569"/>`).join('') +
    p(550, 415, 150),
  rack: (p) =>
    r(230, 60, 280, 410, '#1f2937', 'rx="6" stroke="#0f172a" stroke-width="3"') +
    Array.from({ length: 8 }, (_, i) => {
      const y = 80 + i * 42;
      return r(250, y, 240, 34, '#334155', 'rx="3"') + led(270, y + 17, i !== 5) + vents(300, y + 8, 120, 2);
    }).join('') +
    accent(230, 60, 280, 12) +
    p(370, 440, 170) +
    monitor(560, 180),
  generic: (p) =>
    box(140, 250, 470, 220, 12) +
    accent(140, 250, 470, 18) +
    screen(175, 295, 200, 110) +
    knob(430, 320) +
    knob(480, 320) +
    knob(530, 320) +
    led(430, 370) +
    led(455, 370) +
    p(470, 420, 190) +
    vents(180, 425, 160, 3),
};

function bottle(x: number, base: number) {
  return (
    r(x - 18, base - 60, 36, 60, '#eef4fb', 'rx="6" stroke="#94a3b8" stroke-width="2" opacity=".95"') +
    r(x - 15, base - 34, 30, 31, 'url(#liquid)', 'rx="4"') +
    r(x - 7, base - 74, 14, 16, '#64748b', 'rx="2"')
  );
}

const svg = (categoryCode: string, inner: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600" viewBox="0 0 800 600">${inner}</svg>`;

/** The whole picture of an instrument of `categoryCode` whose model is `model`. */
export function instrumentSvg(categoryCode: string, model: string): string {
  return svg(
    categoryCode,
    scene(categoryCode, (cx, cy, w) => plate(cx, cy, modelText(model), w)),
  );
}

/** The picture without the model's plate: the same for every instrument of the drawing and tint. */
export const sceneSvg = (categoryCode: string) =>
  svg(
    categoryCode,
    scene(categoryCode, () => ''),
  );

/** The model's plate alone, on a transparent picture of the same size, to lay over sceneSvg. */
export function plateSvg(categoryCode: string, model: string): string {
  let out = '';
  DRAW[shapeOf(categoryCode)]((cx, cy, w) => {
    out = plate(cx, cy, modelText(model), w);
    return '';
  });
  return svg(categoryCode, out);
}

const modelText = (model: string) => model.trim() || '—';

function scene(categoryCode: string, p: (cx: number, cy: number, width?: number) => string): string {
  const tint = tintOf(categoryCode);
  return `<defs>
<linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${mix(tint, 0.82)}"/><stop offset="1" stop-color="${mix(tint, 0.95)}"/></linearGradient>
<linearGradient id="bench" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#e5e9ef"/><stop offset="1" stop-color="#aeb8c6"/></linearGradient>
<linearGradient id="body" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#fdfdfe"/><stop offset=".6" stop-color="#eef1f5"/><stop offset="1" stop-color="#d3d9e1"/></linearGradient>
<linearGradient id="metal" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#aab4c0"/><stop offset=".35" stop-color="#f1f4f7"/><stop offset=".7" stop-color="#c9d1db"/><stop offset="1" stop-color="#8d98a6"/></linearGradient>
<linearGradient id="accent" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${mix(tint, 0.15)}"/><stop offset="1" stop-color="${tint}"/></linearGradient>
<linearGradient id="glass" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#27364b"/><stop offset="1" stop-color="#0b1220"/></linearGradient>
<linearGradient id="glow" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="${mix(tint, 0.55)}"/><stop offset="1" stop-color="#a7f3d0"/></linearGradient>
<linearGradient id="liquid" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${mix(tint, 0.5)}"/><stop offset="1" stop-color="${mix(tint, 0.25)}"/></linearGradient>
<radialGradient id="knob" cx=".35" cy=".35" r=".8"><stop offset="0" stop-color="#f8fafc"/><stop offset="1" stop-color="#94a3b8"/></radialGradient>
<radialGradient id="shadow" cx=".5" cy=".5" r=".5"><stop offset="0" stop-color="#0f172a" stop-opacity=".35"/><stop offset="1" stop-color="#0f172a" stop-opacity="0"/></radialGradient>
</defs>
${r(0, 0, 800, BENCH, 'url(#wall)')}
${r(0, BENCH - 4, 800, 130, 'url(#bench)')}
${r(0, BENCH - 4, 800, 5, '#f8fafc', 'opacity=".9"')}
<ellipse cx="400" cy="${BENCH + 6}" rx="360" ry="26" fill="url(#shadow)"/>
${DRAW[shapeOf(categoryCode)](p)}
${r(0, 560, 800, 40, tint, 'opacity=".92"')}`;
}
