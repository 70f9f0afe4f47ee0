// The bridge's version, as in package.json (a unit test keeps the two equal). A constant rather than a JSON
// import so the bundle carries one string, not the manifest.
export const BRIDGE_VERSION = '0.1.0';
