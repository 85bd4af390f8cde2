/**
 * The Node versions this project runs on, decided once (src/shared/supported-node.ts)
 * and repeated where tools read them: package.json `engines` (the runtime, for npm and
 * Heroku), `devEngines` (the tests), and the CI script that provisions Node 24.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  DEVELOPMENT_NODE,
  RUNTIME_NODE,
  isSupported,
  semverRange,
  unsupportedNodeMessage,
} from '../../../src/shared/supported-node.ts';

const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  devEngines: { runtime: { name: string; version: string } };
};

describe('the supported Node versions', () => {
  it('runs dist/ from 22.13 (node:sqlite unflagged) and on the 23 line from 23.4', () => {
    for (const version of ['22.13.0', '22.20.1', '23.4.0', '24.0.0', '25.1.0']) {
      assert.equal(isSupported(version, RUNTIME_NODE), true, version);
    }
    for (const version of ['18.20.8', '20.20.2', '22.12.0', '23.3.0']) {
      assert.equal(isSupported(version, RUNTIME_NODE), false, version);
    }
  });

  it('runs the tests from 22.18 and 23.6, where type stripping is on by default', () => {
    assert.equal(isSupported('22.17.1', DEVELOPMENT_NODE), false);
    assert.equal(isSupported('22.18.0', DEVELOPMENT_NODE), true);
    assert.equal(isSupported('23.5.0', DEVELOPMENT_NODE), false);
    assert.equal(isSupported('23.6.0', DEVELOPMENT_NODE), true);
    assert.equal(isSupported('24.0.0', DEVELOPMENT_NODE), true);
  });

  it('says the same in package.json engines (runtime) and devEngines (tests)', () => {
    assert.equal(manifest.engines.node, semverRange(RUNTIME_NODE));
    assert.equal(manifest.devEngines.runtime.name, 'node');
    assert.equal(manifest.devEngines.runtime.version, semverRange(DEVELOPMENT_NODE));
  });

  it('provisions Node 24 in CI below the version the tests need', () => {
    const script = readFileSync(new URL('../../../.ci/run', import.meta.url), 'utf8');
    const minorFor = (major: number) => DEVELOPMENT_NODE.find((span) => span.from[0] === major)?.from[1];
    assert.match(script, new RegExp(`^tests_need_22_minor=${minorFor(22)}$`, 'm'));
    assert.match(script, new RegExp(`^tests_need_23_minor=${minorFor(23)}$`, 'm'));
  });

  it('names the version required, the version found and where to get a newer one, on one line', () => {
    const message = unsupportedNodeMessage('20.20.2');
    assert.doesNotMatch(message, /\n/);
    assert.match(message, /needs Node\.js 22\.13 or newer/);
    assert.match(message, /this is Node\.js 20\.20\.2/);
    assert.match(message, /https:\/\/nodejs\.org\//);
    assert.match(unsupportedNodeMessage('23.1.0'), /23\.4 or newer on the 23 line/);
  });
});
