// Where Policy Lens lives (package.json `repository`): the fallback for links to the rule pages when the
// extension's own copy of docs/rules/ is not at hand (a server started by another client, CLI reports).
export const REPOSITORY_URL = 'https://github.com/policy-lens/policy-lens';
export const RULE_DOCS_URL = `${REPOSITORY_URL}/blob/main/docs/rules/`;
