// ESLint: typescript-eslint's strict rules, import cycles refused, the layers kept apart, formatting left to Prettier.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import {createTypeScriptImportResolver} from 'eslint-import-resolver-typescript'
import {importX} from 'eslint-plugin-import-x'
import jsdoc from 'eslint-plugin-jsdoc'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**']},
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    plugins: {'import-x': importX},
    settings: {'import-x/resolver-next': [createTypeScriptImportResolver()]},
    rules: {
      // layers point down only: no module may reach itself again through its imports
      'import-x/no-cycle': ['error', {ignoreExternal: true}],
    },
  },
  {
    // Layers point down only: commands and cli -> ops (use cases) -> probe -> the pure domain (lab,
    // plan, render, parse, state, drills). Ops and probers reach the engine through the Runtime port
    // (src/runtime/types.ts); only the CLI makes the Docker adapter (src/runtime/docker).
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: ['src/lab', 'src/plan', 'src/render', 'src/parse', 'src/state', 'src/drills'],
              from: ['src/ops', 'src/cli', 'src/commands', 'src/probe'],
              message: 'the domain (lab, plan, render, parse, state, drills) is pure: no use case, CLI, runtime or prober.',
            },
            {
              // the planner produces the port's specs and labels (pure definitions), nothing else of the runtime
              target: ['src/lab', 'src/plan', 'src/render', 'src/parse', 'src/state', 'src/drills'],
              from: 'src/runtime',
              except: ['./types.ts', './labels.ts'],
              message: "the domain may use the Runtime port's types and the label names only.",
            },
            {
              // the bottom layer: the port and its adapter know nothing above them (errors.ts and
              // time-scale.ts are leaves every layer may use)
              target: 'src/runtime',
              from: [
                'src/ops',
                'src/cli',
                'src/commands',
                'src/probe',
                'src/drills',
                'src/state',
                'src/lab',
                'src/plan',
                'src/render',
                'src/parse',
              ],
              message: 'the runtime (port and adapter) is the bottom layer: it knows no use case, CLI, prober, or domain module.',
            },
            {
              target: 'src/probe',
              from: ['src/ops', 'src/cli', 'src/commands'],
              message: 'probers know no use case or CLI.',
            },
            {
              target: 'src/ops',
              from: ['src/cli', 'src/commands', 'src/runtime/docker'],
              message: 'use cases know no CLI, and the engine only through the Runtime port (src/runtime/types.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // every export says what it is: shapes, units (ms or s), what it throws, where its facts come from
    files: ['src/**/*.ts'],
    plugins: {jsdoc},
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: true,
          require: {
            FunctionDeclaration: true,
            ClassDeclaration: true,
            ArrowFunctionExpression: true,
            FunctionExpression: true,
            MethodDefinition: true,
          },
          contexts: [
            'TSInterfaceDeclaration',
            'TSTypeAliasDeclaration',
            'ExportNamedDeclaration > VariableDeclaration',
            'TSEnumDeclaration',
          ],
        },
      ],
    },
  },
  {
    // listr2 and oclif belong to the CLI (src/cli, src/commands); dockerode to the Docker adapter
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/commands/**', 'src/runtime/docker/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {name: 'listr2', message: 'only src/cli and src/commands render: send step events (src/ops/steps.ts) instead.'},
            {name: '@oclif/core', message: 'only src/cli and src/commands know oclif.'},
            {name: 'dockerode', message: 'only src/runtime/docker talks to the engine: use the Runtime port (src/runtime/types.ts).'},
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {name: 'dockerode', message: 'only src/runtime/docker talks to the engine: use the Runtime port (src/runtime/types.ts).'},
          ],
        },
      ],
    },
  },
  {
    files: ['src/runtime/docker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {name: 'listr2', message: 'only src/cli and src/commands render.'},
            {name: '@oclif/core', message: 'only src/cli and src/commands know oclif.'},
          ],
        },
      ],
    },
  },
  {
    // tests may assert what they just checked and read untyped JSON output
    files: ['test/**/*.ts'],
    rules: {'@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off'},
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  prettier,
)
