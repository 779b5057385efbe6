// A handler in a nested folder (Handler: src/nested/deep.handler).
exports.handler = async () => ({ where: 'src/nested/deep.js' });
