/**
 * The one place that owns colours. `BrandColours` keeps the reference proxy's
 * palette under its names (primary, secondary, background, text, textMuted,
 * border), because custom `_layout.ejs` files written for it read them as
 * `branding.colors.*`. `PagePalette` is what OUR templates paint with: the
 * reference puts white text straight onto its gradient, where the light end
 * (#74a8c3) gives 2.58:1, below WCAG 2.2 SC 1.4.3 (4.5:1 for text). So our
 * pages put every word on a solid card, and every foreground below is checked
 * against the surface it sits on (ratios noted beside each, and proven by
 * test/unit/views/colour-scheme.test.ts).
 */

export interface BrandColours {
  readonly primary: string;
  readonly secondary: string;
  readonly background: string;
  readonly text: string;
  readonly textMuted: string;
  readonly border: string;
}

export interface ButtonColours {
  readonly background: string;
  readonly text: string;
  /** Non-text contrast, SC 1.4.11 (3:1 against the card), so the button's edge is visible. */
  readonly border: string;
}

export interface PagePalette {
  /** Behind the card; no text is painted on it. */
  readonly pageBackground: string;
  readonly surface: string;
  readonly surfaceBorder: string;
  readonly text: string;
  readonly textMuted: string;
  readonly link: string;
  /** Behind code-like values (URIs, hostnames) inside the card. */
  readonly codeBackground: string;
  readonly codeText: string;
  readonly primaryButton: ButtonColours;
  readonly secondaryButton: ButtonColours;
  /** Focus outline (SC 2.4.7, 2.4.13): drawn with an offset, so it sits on `surface`. */
  readonly focusRing: string;
  readonly checkboxAccent: string;
}

export const HEROKU_COLOURS: BrandColours = {
  primary: '#8363a1',
  secondary: '#74a8c3',
  background: 'linear-gradient(135deg,#8363a1 0%,#74a8c3 100%)',
  text: '#fff',
  textMuted: 'rgba(255,255,255,0.6)',
  border: 'rgba(255,255,255,0.9)',
};

export const GENERIC_COLOURS: BrandColours = {
  primary: '#a7bcd9',
  secondary: '#718096',
  background: 'linear-gradient(135deg,#f7fafc 0%,#e2e8f0 100%)',
  text: '#2d3748',
  textMuted: '#718096',
  border: '#bbc2c9',
};

const HEROKU_SURFACE = '#3b2750';

/** A deep purple card keeps the reference's white-on-purple look at readable ratios. */
export const HEROKU_PALETTE: PagePalette = {
  pageBackground: HEROKU_COLOURS.background,
  surface: HEROKU_SURFACE,
  surfaceBorder: HEROKU_COLOURS.border,
  text: HEROKU_COLOURS.text, // 13.2:1 on the card
  textMuted: HEROKU_COLOURS.textMuted, // 5.8:1 once blended onto the card
  link: HEROKU_COLOURS.text,
  codeBackground: '#4d3a63',
  codeText: HEROKU_COLOURS.text, // 10.0:1
  // White on the reference primary is 4.9:1; the white border carries the edge,
  // since #8363a1 against the card alone is only 2.7:1.
  primaryButton: { background: HEROKU_COLOURS.primary, text: '#ffffff', border: HEROKU_COLOURS.border },
  secondaryButton: { background: HEROKU_SURFACE, text: HEROKU_COLOURS.text, border: HEROKU_COLOURS.border },
  focusRing: '#ffffff',
  checkboxAccent: HEROKU_COLOURS.primary,
};

const GENERIC_SURFACE = '#ffffff';

export const GENERIC_PALETTE: PagePalette = {
  pageBackground: GENERIC_COLOURS.background,
  surface: GENERIC_SURFACE,
  surfaceBorder: GENERIC_COLOURS.border,
  text: GENERIC_COLOURS.text, // 12.0:1 on white
  // The reference textMuted #718096 is 4.0:1 on white, short of 4.5:1.
  textMuted: '#4a5568', // 7.5:1
  // The reference primary #a7bcd9 is 1.9:1 on white: unusable for link text.
  link: '#2c5282', // 8.0:1
  codeBackground: '#edf2f7',
  codeText: GENERIC_COLOURS.text, // 10.6:1
  // The reference text on the reference primary is 6.2:1; the primary fill is
  // too light to show the button's edge on white, so a dark border does.
  primaryButton: { background: GENERIC_COLOURS.primary, text: GENERIC_COLOURS.text, border: '#4a5568' },
  secondaryButton: {
    background: GENERIC_SURFACE,
    text: GENERIC_COLOURS.text,
    border: GENERIC_COLOURS.secondary,
  },
  focusRing: '#2c5282',
  checkboxAccent: '#2c5282',
};

interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly a: number;
}

const HEX_COLOUR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
const RGBA_COLOUR =
  /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*([01]?(?:\.\d+)?)\s*)?\)$/i;

function parseColour(colour: string): Rgba {
  const hex = HEX_COLOUR.exec(colour)?.[1];
  if (hex !== undefined) {
    const full = hex.length === 3 ? [...hex].map((digit) => digit + digit).join('') : hex;
    const channel = (index: number): number => Number.parseInt(full.slice(index, index + 2), 16);
    return { r: channel(0), g: channel(2), b: channel(4), a: 1 };
  }
  const rgba = RGBA_COLOUR.exec(colour);
  if (rgba !== null) {
    return {
      r: Number(rgba[1]),
      g: Number(rgba[2]),
      b: Number(rgba[3]),
      a: rgba[4] === undefined ? 1 : Number(rgba[4]),
    };
  }
  throw new Error(`not a solid colour: ${colour}`);
}

/** WCAG 2.2 "relative luminance" of an sRGB colour. */
function relativeLuminance({ r, g, b }: Rgba): number {
  const linear = (channel: number): number => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/**
 * WCAG 2.2 contrast ratio of `foreground` painted on `background`. A translucent
 * foreground (rgba) is first blended onto the background, as the browser does.
 */
export function contrastRatio(foreground: string, background: string): number {
  const bg = parseColour(background);
  if (bg.a !== 1) throw new Error(`background must be opaque: ${background}`);
  const fg = parseColour(foreground);
  const blend = (f: number, b: number): number => f * fg.a + b * (1 - fg.a);
  const painted: Rgba = { r: blend(fg.r, bg.r), g: blend(fg.g, bg.g), b: blend(fg.b, bg.b), a: 1 };
  const [light, dark] = [relativeLuminance(painted), relativeLuminance(bg)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}
