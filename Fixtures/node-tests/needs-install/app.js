const leftPad = require('left-pad');

exports.handler = async () => leftPad('x', 3);
