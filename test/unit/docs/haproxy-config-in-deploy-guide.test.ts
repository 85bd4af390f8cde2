/**
 * docs/deploy.md shows the HAProxy configuration that the scale-out tests run
 * (examples/haproxy/haproxy.cfg); the page must never show another one.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../support/ensure-build.ts';
import { HAPROXY_CONFIG_PATH } from '../../support/haproxy.ts';

describe('the HAProxy configuration in the deployment guide', () => {
  it('is, byte for byte, the file the scale-out tests run', async () => {
    const config = await readFile(HAPROXY_CONFIG_PATH, 'utf8');
    const guide = await readFile(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
    const shown = /```haproxy\n([\s\S]*?)```/.exec(guide)?.[1];
    assert.equal(shown, config, 'copy examples/haproxy/haproxy.cfg into the haproxy block of docs/deploy.md');
  });
});
