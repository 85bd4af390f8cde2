import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GENERIC_COLOURS,
  HEROKU_COLOURS,
  HEROKU_FAVICON_URL,
  isHerokuIdentityServer,
  resolveBranding,
} from '../../../src/views/index.ts';

const TITLE = 'Login for Model Context Protocol';

describe('isHerokuIdentityServer', () => {
  const cases: ReadonlyArray<readonly [string, boolean]> = [
    ['https://id.heroku.com', true],
    ['https://id.heroku.com/', true],
    ['https://heroku.com', true],
    ['https://HEROKU.COM/oauth', true],
    ['https://id.heroku.com.', true],
    ['https://herokudev.com', true],
    ['https://id.staging.herokudev.com/', true],
    ['https://evilheroku.com', false],
    ['https://example-herokudev.com', false],
    ['https://heroku.com.evil.example', false],
    ['https://evil.example/?next=heroku.com', false],
    ['https://evil.example/heroku.com', false],
    ['https://login.salesforce.com', false],
    ['not a url heroku.com', false],
  ];
  for (const [url, expected] of cases) {
    it(`${expected ? 'brands' : 'does not brand'} ${url} as Heroku, by parsed host`, () => {
      assert.equal(isHerokuIdentityServer(url), expected);
    });
  }

  it('accepts a URL object and treats a missing IdP as not Heroku', () => {
    assert.equal(isHerokuIdentityServer(new URL('https://id.heroku.com/')), true);
    assert.equal(isHerokuIdentityServer(undefined), false);
  });
});

describe('resolveBranding', () => {
  it('gives Heroku branding the suffixed title, the Heroku favicon and the reference colours', () => {
    const branding = resolveBranding({
      brandingTitle: TITLE,
      brandingFaviconUrl: 'https://mine.example/favicon.ico',
      identityServerUrl: 'https://id.heroku.com/',
    });
    assert.equal(branding.isHeroku, true);
    assert.equal(branding.title, `${TITLE} | Heroku`);
    assert.equal(branding.faviconUrl, HEROKU_FAVICON_URL);
    assert.equal(branding.faviconOrigin, 'https://www.herokucdn.com');
    assert.deepEqual(branding.colours, {
      primary: '#8363a1',
      secondary: '#74a8c3',
      background: 'linear-gradient(135deg,#8363a1 0%,#74a8c3 100%)',
      text: '#fff',
      textMuted: 'rgba(255,255,255,0.6)',
      border: 'rgba(255,255,255,0.9)',
    });
    assert.match(branding.logoSvg, /^<svg [^>]*aria-label="Heroku"/);
  });

  it('gives generic branding BRANDING_TITLE, BRANDING_FAVICON and the generic colours', () => {
    const branding = resolveBranding({
      brandingTitle: 'Acme sign-in',
      brandingFaviconUrl: 'https://cdn.acme.example/icon.png',
      identityServerUrl: 'https://evilheroku.com',
    });
    assert.equal(branding.isHeroku, false);
    assert.equal(branding.title, 'Acme sign-in');
    assert.equal(branding.faviconUrl, 'https://cdn.acme.example/icon.png');
    assert.equal(branding.faviconOrigin, 'https://cdn.acme.example');
    assert.deepEqual(branding.colours, {
      primary: '#a7bcd9',
      secondary: '#718096',
      background: 'linear-gradient(135deg,#f7fafc 0%,#e2e8f0 100%)',
      text: '#2d3748',
      textMuted: '#718096',
      border: '#bbc2c9',
    });
    assert.match(branding.logoSvg, /MCP Auth/);
  });

  it('has no favicon when none is configured, or only a blank one', () => {
    for (const brandingFaviconUrl of [undefined, '', '  ']) {
      const branding = resolveBranding({ brandingTitle: TITLE, brandingFaviconUrl });
      assert.equal(branding.faviconUrl, undefined);
      assert.equal(branding.faviconOrigin, undefined);
    }
  });

  it('needs no extra CSP origin for a same-origin or data: favicon', () => {
    assert.equal(
      resolveBranding({ brandingTitle: TITLE, brandingFaviconUrl: '/favicon.ico' }).faviconOrigin,
      undefined,
    );
    const dataIcon = resolveBranding({
      brandingTitle: TITLE,
      brandingFaviconUrl: 'data:image/png;base64,AAAA',
    });
    assert.equal(dataIcon.faviconUrl, 'data:image/png;base64,AAAA');
    assert.equal(dataIcon.faviconOrigin, undefined);
  });

  it('exposes the reference property names favicon, logo and colors as aliases', () => {
    for (const identityServerUrl of ['https://id.heroku.com', 'https://idp.example']) {
      const branding = resolveBranding({
        brandingTitle: TITLE,
        brandingFaviconUrl: '/f.ico',
        identityServerUrl,
      });
      assert.equal(branding.favicon, branding.faviconUrl);
      assert.equal(branding.logo, branding.logoSvg);
      assert.equal(branding.colors, branding.colours);
    }
  });

  it('uses the palette that belongs to the brand', () => {
    assert.equal(
      resolveBranding({ brandingTitle: TITLE, identityServerUrl: 'https://heroku.com' }).colours,
      HEROKU_COLOURS,
    );
    assert.equal(resolveBranding({ brandingTitle: TITLE }).colours, GENERIC_COLOURS);
  });

  it('draws logos that load nothing from elsewhere', () => {
    for (const identityServerUrl of ['https://id.heroku.com', undefined]) {
      const { logoSvg } = resolveBranding({ brandingTitle: TITLE, identityServerUrl });
      assert.doesNotMatch(logoSvg, /href|url\(|<script|<image/i);
    }
  });
});
