'use strict';
// piscina's task for the dispatch floor: nothing at all.
module.exports = () => {};
