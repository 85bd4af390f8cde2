import { describe, it } from 'node:test';
import { RuleTester } from 'eslint';
import { maxOwnFunctionLines } from '../../../eslint-rules/max-own-function-lines.ts';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } });

/** A body of `count` statements, one a line. */
const statements = (count: number, indent = '  '): string =>
  Array.from({ length: count }, (_, index) => `${indent}step${index}();`).join('\n');

const tooLong = (name: string, count: number, max: number) => ({
  messageId: 'tooLong',
  data: { name, count: String(count), max: String(max) },
});

describe('local/max-own-function-lines', () => {
  tester.run('max-own-function-lines', maxOwnFunctionLines, {
    valid: [
      {
        name: 'a function of exactly max lines (header and closing brace included)',
        code: `function fits() {\n${statements(3)}\n}`,
        options: [{ max: 5 }],
      },
      {
        name: 'blank lines and comments do not count',
        code: `function fits() {\n  // why\n\n${statements(3)}\n  /* a\n     block */\n\n}`,
        options: [{ max: 5 }],
      },
      {
        name: "a nested function's lines count for it alone",
        code: [
          'function outer() {',
          '  const inner = () => {',
          statements(6, '    '),
          '  };',
          '  return inner;',
          '}',
        ].join('\n'),
        // outer: its header, `const inner =`, `;` after the inner body, `return inner;`, `}`: 5 lines.
        // inner: from `() => {` to `}`: 8 lines.
        options: [{ max: 8 }],
      },
    ],
    invalid: [
      {
        name: 'one line over',
        code: `function long() {\n${statements(4)}\n}`,
        options: [{ max: 5 }],
        errors: [tooLong("Function 'long'", 6, 5)],
      },
      {
        name: 'the nested function over the limit, not its parent',
        code: ['function outer() {', '  const inner = () => {', statements(6, '    '), '  };', '}'].join(
          '\n',
        ),
        options: [{ max: 5 }],
        errors: [tooLong("Function 'inner'", 8, 5)],
      },
      {
        name: 'a method named by its key, a template literal counted on every line it spans',
        code: ['const handlers = {', '  render() {', '    return `a', 'b', 'c', 'd`;', '  },', '};'].join(
          '\n',
        ),
        options: [{ max: 4 }],
        errors: [tooLong("Function 'render'", 6, 4)],
      },
      {
        name: 'an anonymous callback named by its line',
        code: `items.forEach(() => {\n${statements(3)}\n});`,
        options: [{ max: 4 }],
        errors: [tooLong('The function at line 1', 5, 4)],
      },
      {
        name: 'the default limit is 80',
        code: `export function handler() {\n${statements(80)}\n}`,
        errors: [tooLong("Function 'handler'", 82, 80)],
      },
    ],
  });
});
