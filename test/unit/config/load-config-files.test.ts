import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  httpMcpServer,
  loadOk,
  loadProblems,
  MINIMAL_ENV,
  problemFor,
  temporaryDirectory,
} from './config-fixtures.ts';

const METADATA = {
  issuer: 'https://id.example.com',
  authorization_endpoint: 'https://id.example.com/authorize',
  token_endpoint: 'https://id.example.com/token',
};

describe('loadConfig views directory', () => {
  it('accepts an absolute directory holding _layout.ejs and confirm-login.ejs', (t) => {
    const views = temporaryDirectory(t);
    writeFileSync(join(views, '_layout.ejs'), '<%- body %>');
    writeFileSync(join(views, 'confirm-login.ejs'), 'confirm');
    assert.equal(loadOk({ ...MINIMAL_ENV, OIDC_PROVIDER_VIEWS_PATH: views }).config.pages.viewsPath, views);
  });

  it('refuses a relative views path', () => {
    const problem = problemFor(
      loadProblems({ ...MINIMAL_ENV, OIDC_PROVIDER_VIEWS_PATH: 'lib/views' }),
      'OIDC_PROVIDER_VIEWS_PATH',
    );
    assert.match(problem.message, /must be an absolute path/);
  });

  it('refuses a views path that does not exist or is a file', (t) => {
    const directory = temporaryDirectory(t);
    const missing = join(directory, 'nowhere');
    assert.match(
      problemFor(
        loadProblems({ ...MINIMAL_ENV, OIDC_PROVIDER_VIEWS_PATH: missing }),
        'OIDC_PROVIDER_VIEWS_PATH',
      ).message,
      /does not exist/,
    );
    writeFileSync(join(directory, 'file.ejs'), '');
    assert.match(
      problemFor(
        loadProblems({ ...MINIMAL_ENV, OIDC_PROVIDER_VIEWS_PATH: join(directory, 'file.ejs') }),
        'OIDC_PROVIDER_VIEWS_PATH',
      ).message,
      /is not a directory/,
    );
  });

  it('names the templates a views directory lacks', (t) => {
    const views = temporaryDirectory(t);
    writeFileSync(join(views, 'confirm-login.ejs'), 'confirm');
    const problem = problemFor(
      loadProblems({ ...MINIMAL_ENV, OIDC_PROVIDER_VIEWS_PATH: views }),
      'OIDC_PROVIDER_VIEWS_PATH',
    );
    assert.match(
      problem.message,
      /must contain _layout\.ejs and confirm-login\.ejs, but .* lacks _layout\.ejs$/,
    );
  });
});

describe('loadConfig identity metadata file', () => {
  it('accepts a metadata file relative to the working directory instead of IDENTITY_SERVER_URL', (t) => {
    const cwd = temporaryDirectory(t);
    writeFileSync(join(cwd, 'idp.json'), JSON.stringify(METADATA));
    const { IDENTITY_SERVER_URL: _url, ...env } = MINIMAL_ENV;
    const { config, warnings } = loadOk({ ...env, IDENTITY_SERVER_METADATA_FILE: 'idp.json' }, cwd);
    assert.equal(config.identity.metadataFile, join(cwd, 'idp.json'));
    assert.equal(config.identity.serverUrl, undefined);
    assert.deepEqual(warnings, []);
  });

  it('names the metadata members a file lacks', (t) => {
    const cwd = temporaryDirectory(t);
    writeFileSync(join(cwd, 'idp.json'), JSON.stringify({ issuer: 'https://id.example.com' }));
    const problem = problemFor(
      loadProblems({ ...MINIMAL_ENV, IDENTITY_SERVER_METADATA_FILE: 'idp.json' }, cwd),
      'IDENTITY_SERVER_METADATA_FILE',
    );
    assert.match(problem.message, /lacks "authorization_endpoint", "token_endpoint"/);
  });

  it('refuses a metadata file that is missing or not JSON', (t) => {
    const cwd = temporaryDirectory(t);
    assert.match(
      problemFor(
        loadProblems({ ...MINIMAL_ENV, IDENTITY_SERVER_METADATA_FILE: 'none.json' }, cwd),
        'IDENTITY_SERVER_METADATA_FILE',
      ).message,
      /does not exist/,
    );
    writeFileSync(join(cwd, 'bad.json'), '{ issuer: ');
    assert.match(
      problemFor(
        loadProblems({ ...MINIMAL_ENV, IDENTITY_SERVER_METADATA_FILE: 'bad.json' }, cwd),
        'IDENTITY_SERVER_METADATA_FILE',
      ).message,
      /is not valid JSON/,
    );
  });

  it('warns when IDENTITY_SERVER_URL and the metadata issuer differ', (t) => {
    const cwd = temporaryDirectory(t);
    writeFileSync(
      join(cwd, 'idp.json'),
      JSON.stringify({ ...METADATA, issuer: 'https://other.example.com' }),
    );
    const { warnings } = loadOk({ ...MINIMAL_ENV, IDENTITY_SERVER_METADATA_FILE: 'idp.json' }, cwd);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /differs from the issuer in IDENTITY_SERVER_METADATA_FILE/);
  });
});

describe('loadConfig MCP server directory', () => {
  it('resolves MCP_SERVER_RUN_DIR against the working directory and requires it to exist', (t) => {
    const cwd = temporaryDirectory(t);
    mkdirSync(join(cwd, 'server'));
    const env = { ...MINIMAL_ENV, MCP_SERVER_RUN_COMMAND: 'node' };
    assert.equal(
      httpMcpServer(loadOk({ ...env, MCP_SERVER_RUN_DIR: 'server' }, cwd).config).run?.cwd,
      join(cwd, 'server'),
    );
    const problem = problemFor(
      loadProblems({ ...env, MCP_SERVER_RUN_DIR: 'missing' }, cwd),
      'MCP_SERVER_RUN_DIR',
    );
    assert.match(problem.message, /must name an existing directory, but ".*missing" does not exist/);
  });
});
