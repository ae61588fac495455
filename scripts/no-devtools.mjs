// Stands in for react-devtools-core in the bundle: firedrill never connects to React DevTools.
export default { initialize() {}, connectToDevTools() {} };
