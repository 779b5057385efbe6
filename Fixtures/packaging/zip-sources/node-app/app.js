// Handler shipped as a .zip CodeUri.
exports.handler = async (event) => ({ zipped: 'node', event });
