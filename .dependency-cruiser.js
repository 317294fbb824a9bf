/**
 * The layering of src/, checked by `npm run lint` (dependency-cruiser). The layers, bottom
 * to top, are drawn in README.md ("Layout"); a folder may import its own layer's peers only
 * where the rules below do not forbid it, and the layers below it.
 */
const LAYERS = [
  ['console'],
  ['common', 'config'],
  ['vocabulary'],
  ['properties'],
  ['logging'],
  ['database'],
  ['metrics'],
  ['secrets'],
  ['registry'],
  ['audit'],
  ['cookies'],
  ['tenants'],
  ['auth', 'bridge', 'diagnostics', 'snippet', 'keeper', 'access'],
  ['http'],
  ['visitor', 'proxy', 'admin', 'health', 'demo'],
  ['cli'],
];

const folder = (name) => `^src/${name}/`;
const any = (names) => `^src/(${names.join('|')})/`;

/** For each layer: nothing in it imports a folder of a layer above it. */
const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} may not import the layers above (${LAYERS.slice(i + 1)
    .flat()
    .join(', ')}); see README "Layout"`,
  severity: 'error',
  from: { path: any(layer) },
  to: { path: any(LAYERS.slice(i + 1).flat()) },
}));

/**
 * Folders of one layer do not import each other (so no two folders import each other at all),
 * except where one is built on the other: document mode renders what the visitor API decides.
 */
const PEERS_ALLOWED = [['proxy', 'visitor']];
const peers = LAYERS.filter((layer) => layer.length > 1).flatMap((layer) =>
  layer.map((name) => ({
    name: `peers-${name}`,
    comment: `${name} may not import the other folders of its layer (${layer.join(', ')})`,
    severity: 'error',
    from: { path: folder(name) },
    to: {
      path: any(
        layer.filter(
          (other) => other !== name && !PEERS_ALLOWED.some(([a, b]) => a === name && b === other),
        ),
      ),
    },
  })),
);

module.exports = {
  forbidden: [
    ...peers,
    {
      name: 'no-folder-cycles',
      comment: 'Feature folders may not import each other in a circle.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, pathNot: '\\.spec\\.ts$' },
    },
    ...upward,
    {
      name: 'controllers-not-repositories',
      comment: 'A controller calls a service; query code stays in repositories behind it.',
      severity: 'error',
      from: { path: '\\.controller\\.ts$' },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'no-http-below-the-http-layer',
      comment:
        'Persistence and pure cookie code throw domain errors (common/errors.ts); only the HTTP layer and the visitor responder map them to HTTP.',
      severity: 'error',
      from: {
        path: `${any(['common', 'vocabulary', 'database', 'registry'])}|^src/cookies/(?!.*\\.(service|module)\\.ts$)`,
      },
      to: { path: '^src/http/|^node_modules/(@nestjs/platform-fastify|@nestjs/core|fastify)/' },
    },
    {
      name: 'pure-cookie-code-is-pure',
      comment:
        'Cookie naming, domains, attributes and relay encoding are plain functions: no Nest.',
      severity: 'error',
      from: {
        path: '^src/(vocabulary|cookies)/(?!.*\\.(service|module)\\.ts$)',
        pathNot: '\\.spec\\.ts$',
      },
      to: { path: '^node_modules/@nestjs/' },
    },
    {
      name: 'root-is-composition',
      comment:
        'Only the application root (main.ts, app.module.ts, app.setup.ts, cli.ts) and cli/ know every feature.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
