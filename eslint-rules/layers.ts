/**
 * The layer order of style.md, as zones for import-x/no-restricted-paths.
 *
 * Dependencies point one way: a folder of src/ imports only folders of the
 * layers below its own, never a sibling in its own layer, never one above.
 * Leaves at the bottom (shared/, the vocabularies, the HTTP toolkit), then
 * config -> stores -> authorization server / upstream IdP -> interaction ->
 * admission -> the transports that run it -> the HTTP host; the plug-ins that
 * decorate the ports those layers own; app/, the composition root; the
 * commands on top.
 */
export interface Layer {
  readonly name: string;
  /** Folders of src/ (or a file at its top, such as main.ts). */
  readonly folders: readonly string[];
}

export const LAYERS: readonly Layer[] = [
  { name: 'shared leaf utilities', folders: ['shared'] },
  {
    name: 'vocabulary (OAuth errors and rules, observed events, access rules)',
    folders: ['oauth', 'observability', 'policy'],
  },
  { name: 'HTTP toolkit', folders: ['http-kit'] },
  { name: 'config', folders: ['config'] },
  { name: 'stores', folders: ['store'] },
  { name: 'built on the stores', folders: ['keys', 'upstream-token-vault', 'views', 'supervisor'] },
  { name: 'authorization server and upstream IdP', folders: ['authorization-server', 'upstream-idp'] },
  { name: 'interaction', folders: ['interaction'] },
  { name: 'admission pipeline', folders: ['admission'] },
  { name: 'MCP transports', folders: ['proxy', 'stdio-bridge'] },
  { name: 'HTTP host', folders: ['http'] },
  { name: 'plug-ins that decorate ports', folders: ['access-cache', 'audit', 'metrics', 'telemetry'] },
  { name: 'stored grants and clients, read and revoked for operators', folders: ['grants'] },
  { name: 'routes the host serves for operators and users', folders: ['admin-api', 'account'] },
  { name: 'composition root', folders: ['app'] },
  { name: 'demo', folders: ['demo'] },
  { name: 'commands', folders: ['cli'] },
  { name: 'entry point', folders: ['main.ts'] },
];

export interface RestrictedZone {
  readonly target: string | readonly string[];
  readonly from: string | readonly string[];
  readonly except?: readonly string[];
  readonly message: string;
}

const inSrc = (folder: string): string => `./src/${folder}`;

const CONCRETE_STORES = ['store/sqlite', 'store/redis', 'store/memory'];

/**
 * Rules of style.md that the order alone does not say: each is stricter than
 * it, between layers that are allowed to meet.
 */
const NEVER: readonly RestrictedZone[] = [
  {
    target: ['authorization-server'].map(inSrc),
    from: ['views', ...CONCRETE_STORES].map(inSrc),
    message:
      'The authorization server never imports views or a concrete store (style.md): it is handed them.',
  },
  {
    target: ['admission', 'proxy', 'stdio-bridge'].map(inSrc),
    from: ['authorization-server', 'upstream-idp', 'interaction'].map(inSrc),
    message:
      'The MCP side receives verifyAccessToken and the token sources as functions and never imports ' +
      'the authorization server, the IdP client or the interaction (style.md).',
  },
  {
    target: LAYERS.flatMap((layer) => layer.folders)
      .filter((folder) => folder !== 'store')
      .map(inSrc),
    from: CONCRETE_STORES.map(inSrc),
    message: 'Open a store through store/index.ts (openStore): the drivers load lazily, and only there.',
  },
];

/** One zone per folder: every folder above it and its siblings, naming the folders it may import. */
export function layerZones(): RestrictedZone[] {
  const zones: RestrictedZone[] = [];
  LAYERS.forEach((layer, index) => {
    const below = LAYERS.slice(0, index).flatMap((lower) => lower.folders);
    const above = LAYERS.slice(index + 1).flatMap((higher) => higher.folders);
    for (const folder of layer.folders) {
      const siblings = layer.folders.filter((other) => other !== folder);
      const from = [...above, ...siblings];
      if (from.length === 0) continue;
      zones.push({
        target: inSrc(folder),
        from: from.map(inSrc),
        message:
          `${folder} is in the layer "${layer.name}" and may import only ` +
          `${below.length === 0 ? 'node and packages' : below.join(', ')} (style.md, "The shape of the house").`,
      });
    }
  });
  return [...zones, ...NEVER];
}
