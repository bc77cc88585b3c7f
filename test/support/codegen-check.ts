import type { CodegenConfig } from '@graphql-codegen/cli';
import config from '../../codegen';

/** The project's codegen config, writing into test/artifacts so the committed output can be compared. */
const generates = Object.fromEntries(Object.entries(config.generates).map(([target, options]) => [target.replace(/^schema\//, 'test/artifacts/codegen/'), options]));
const check: CodegenConfig = { ...config, generates };
export default check;
