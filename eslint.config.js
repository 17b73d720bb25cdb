// ESLint: typescript-eslint's strict rules, import cycles refused, formatting left to Prettier.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import {createTypeScriptImportResolver} from 'eslint-import-resolver-typescript'
import {importX} from 'eslint-plugin-import-x'
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
