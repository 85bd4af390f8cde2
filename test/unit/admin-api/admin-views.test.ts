import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientViews, grantView } from '../../../src/admin-api/admin-views.ts';
import type { ClientRecord, GrantRecord } from '../../../src/grants/index.ts';

const grant = (grantId: string, clientId: string | undefined): GrantRecord => ({
  grantId,
  accountId: 'uid-alice',
  clientId,
  scopes: ['openid', 'offline_access'],
  resources: [{ resource: 'https://mcp.example.com/mcp', scopes: ['offline_access'] }],
  createdAtSeconds: 1_767_225_600,
  expiresAtSeconds: undefined,
});

const registered: ClientRecord = {
  clientId: 'dcr-client',
  name: 'Editor',
  redirectUris: ['http://127.0.0.1:33418/callback'],
  createdAtSeconds: 1_767_225_000,
};

describe('admin API views', () => {
  it('writes unknown grant fields as null and times as ISO 8601', () => {
    assert.deepEqual(grantView(grant('g1', undefined), undefined), {
      grantId: 'g1',
      accountId: 'uid-alice',
      clientId: null,
      clientName: null,
      scopes: ['openid', 'offline_access'],
      resources: [{ resource: 'https://mcp.example.com/mcp', scopes: ['offline_access'] }],
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: null,
    });
  });

  it('lists registered clients, then clients known only from their grants (metadata documents), with grant counts', () => {
    const cimd = 'https://app.example.com/oauth/client.json';
    const views = clientViews(
      [registered],
      [grant('g1', 'dcr-client'), grant('g2', cimd), grant('g3', cimd), grant('g4', undefined)],
    );
    assert.deepEqual(views, [
      {
        clientId: 'dcr-client',
        clientName: 'Editor',
        registration: 'dynamic',
        redirectUris: ['http://127.0.0.1:33418/callback'],
        createdAt: '2025-12-31T23:50:00.000Z',
        grants: 1,
      },
      {
        clientId: cimd,
        clientName: null,
        registration: 'metadata_document',
        redirectUris: null,
        createdAt: null,
        grants: 2,
      },
    ]);
  });
});
