import type { AST, Rule } from 'eslint';
import type * as ESTree from 'estree';

/** style.md: one screen per handler; what does not fit is a list of named steps. */
export const DEFAULT_MAX_OWN_LINES = 80;

type FunctionNode = ESTree.FunctionDeclaration | ESTree.FunctionExpression | ESTree.ArrowFunctionExpression;

interface Measured {
  readonly node: FunctionNode;
  readonly start: number;
  readonly end: number;
  readonly lines: Set<number>;
}

/**
 * Fails a function over `max` lines of its own code. A line counts for a
 * function when one of its tokens belongs to that function and to no function
 * nested in it, so blank lines and comments never count, and a nested
 * function's lines count for that function alone (ESLint's
 * max-lines-per-function counts them in every enclosing function too, which
 * punishes exactly the split into named inner steps this rule asks for).
 */
export const maxOwnFunctionLines: Rule.RuleModule = {
  meta: {
    type: 'suggestion',
    docs: { description: 'Limit the lines of code a function holds itself, nested functions apart' },
    schema: [
      {
        type: 'object',
        properties: { max: { type: 'integer', minimum: 1 } },
        additionalProperties: false,
      },
    ],
    messages: {
      tooLong:
        '{{name}} has {{count}} lines of its own code (at most {{max}}; nested functions count apart). ' +
        'Split it into named steps.',
    },
  },
  create(context) {
    const options = (context.options[0] ?? {}) as { max?: number };
    const max = options.max ?? DEFAULT_MAX_OWN_LINES;
    const functions: Measured[] = [];
    const enter = (node: FunctionNode): void => {
      const [start, end] = node.range ?? [0, 0];
      functions.push({ node, start, end, lines: new Set() });
    };
    return {
      FunctionDeclaration: enter,
      FunctionExpression: enter,
      ArrowFunctionExpression: enter,
      'Program:exit'() {
        assignLines(context.sourceCode.ast.tokens, functions);
        for (const { node, lines } of functions) {
          if (lines.size <= max) continue;
          context.report({
            node,
            loc: node.loc?.start ?? { line: 1, column: 0 },
            messageId: 'tooLong',
            data: { name: functionName(node), count: String(lines.size), max: String(max) },
          });
        }
      },
    };
  },
};

/**
 * Gives every line a token spans to the innermost function around the token.
 * One pass over the tokens, with the functions open at that point on a stack
 * (they nest, so the last one opened that has not ended is the innermost).
 */
function assignLines(tokens: readonly AST.Token[], functions: readonly Measured[]): void {
  const byStart = [...functions].sort((a, b) => a.start - b.start);
  const open: Measured[] = [];
  let next = 0;
  for (const token of tokens) {
    const [tokenStart] = token.range;
    while (open.length > 0 && open[open.length - 1]!.end <= tokenStart) open.pop();
    while (next < byStart.length && byStart[next]!.start <= tokenStart) {
      const candidate = byStart[next]!;
      next += 1;
      if (candidate.end > tokenStart) open.push(candidate);
    }
    const innermost = open[open.length - 1];
    if (innermost === undefined) continue;
    for (let line = token.loc.start.line; line <= token.loc.end.line; line += 1) innermost.lines.add(line);
  }
}

/** How the report names the function: its own name, or the name it is bound to. */
function functionName(node: FunctionNode): string {
  if (node.type !== 'ArrowFunctionExpression' && node.id) return `Function '${node.id.name}'`;
  const parent = (node as FunctionNode & { parent?: ESTree.Node }).parent;
  const key =
    parent?.type === 'VariableDeclarator'
      ? parent.id
      : parent?.type === 'Property' || parent?.type === 'MethodDefinition'
        ? parent.key
        : undefined;
  if (key?.type === 'Identifier') return `Function '${key.name}'`;
  return `The function at line ${node.loc?.start.line ?? '?'}`;
}
