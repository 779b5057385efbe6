const missing = require('module-that-does-not-exist');

exports.handler = async () => missing;
