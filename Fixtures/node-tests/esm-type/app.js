// An ES module in a .js file: package.json says "type": "module".
export async function handler() {
  return { module: typeof require === 'undefined' ? 'esm' : 'commonjs' };
}
