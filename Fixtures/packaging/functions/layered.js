// Requires a package its layer provides.
const lib = require('layer-lib');

exports.handler = async () => ({ lib: lib.describe() });
