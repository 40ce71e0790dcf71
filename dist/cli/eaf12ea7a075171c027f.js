module.exports = eval("require")("../../README.md");
