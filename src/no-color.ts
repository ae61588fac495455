// Ink's chalk reads FORCE_COLOR but not NO_COLOR (https://no-color.org): translate before it loads.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') process.env.FORCE_COLOR = '0';
