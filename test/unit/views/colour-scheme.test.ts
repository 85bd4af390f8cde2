import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  contrastRatio,
  GENERIC_COLOURS,
  GENERIC_PALETTE,
  HEROKU_COLOURS,
  HEROKU_PALETTE,
  type PagePalette,
} from '../../../src/views/index.ts';

const TEXT_MINIMUM = 4.5; // WCAG 2.2 SC 1.4.3, normal-size text
const NON_TEXT_MINIMUM = 3; // WCAG 2.2 SC 1.4.11, component edges and focus indicators

describe('contrastRatio', () => {
  it('follows the WCAG formula at its end points and for a known pair', () => {
    assert.equal(contrastRatio('#000000', '#ffffff'), 21);
    assert.equal(contrastRatio('#fff', '#000'), 21);
    assert.equal(contrastRatio('#777777', '#777777'), 1);
    assert.equal(contrastRatio('#ffffff', '#8363a1').toFixed(2), '4.92');
  });

  it('blends a translucent foreground onto its background first', () => {
    assert.equal(contrastRatio('rgba(255,255,255,0)', '#3b2750'), 1);
    assert.equal(contrastRatio('rgba(255,255,255,1)', '#000000'), 21);
  });

  it('rejects colours it cannot measure', () => {
    assert.throws(() => contrastRatio('linear-gradient(#fff,#000)', '#000'));
    assert.throws(() => contrastRatio('#fff', 'rgba(0,0,0,0.5)'));
  });
});

describe('the reference palettes, and why our pages do not paint text straight onto them', () => {
  it('white on the light end of the Heroku gradient is below 4.5:1', () => {
    assert.ok(contrastRatio(HEROKU_COLOURS.text, HEROKU_COLOURS.secondary) < TEXT_MINIMUM);
  });

  it('the generic textMuted on white is below 4.5:1', () => {
    assert.ok(contrastRatio(GENERIC_COLOURS.textMuted, '#ffffff') < TEXT_MINIMUM);
  });
});

function textPairs(palette: PagePalette): ReadonlyArray<readonly [string, string, string]> {
  return [
    ['text on surface', palette.text, palette.surface],
    ['muted text on surface', palette.textMuted, palette.surface],
    ['link on surface', palette.link, palette.surface],
    ['code text on code background', palette.codeText, palette.codeBackground],
    ['primary button text', palette.primaryButton.text, palette.primaryButton.background],
    ['secondary button text', palette.secondaryButton.text, palette.secondaryButton.background],
  ];
}

function edgePairs(palette: PagePalette): ReadonlyArray<readonly [string, string, string]> {
  return [
    ['primary button border on surface', palette.primaryButton.border, palette.surface],
    ['secondary button border on surface', palette.secondaryButton.border, palette.surface],
    ['focus ring on surface', palette.focusRing, palette.surface],
  ];
}

for (const [brand, palette] of [
  ['Heroku', HEROKU_PALETTE],
  ['generic', GENERIC_PALETTE],
] as const) {
  describe(`the ${brand} page palette`, () => {
    for (const [what, foreground, background] of textPairs(palette)) {
      it(`meets 4.5:1 for ${what}`, () => {
        const ratio = contrastRatio(foreground, background);
        assert.ok(ratio >= TEXT_MINIMUM, `${foreground} on ${background} is ${ratio.toFixed(2)}:1`);
      });
    }
    for (const [what, foreground, background] of edgePairs(palette)) {
      it(`meets 3:1 for the ${what}`, () => {
        const ratio = contrastRatio(foreground, background);
        assert.ok(ratio >= NON_TEXT_MINIMUM, `${foreground} on ${background} is ${ratio.toFixed(2)}:1`);
      });
    }
    it('keeps the reference background gradient', () => {
      assert.equal(
        palette.pageBackground,
        (brand === 'Heroku' ? HEROKU_COLOURS : GENERIC_COLOURS).background,
      );
    });
  });
}
