// Imports a package its layer provides from an ES module.
import lib from 'layer-lib';

export const handler = async () => ({ lib: lib.describe() });
