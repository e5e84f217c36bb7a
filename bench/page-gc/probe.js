// Times full garbage collections of a page holding a chosen folder's File objects, step by step (docs/benchmarks.md,
// "Issue 16, session 22"). Usage, after a build of tests/Ferry.Web.Tests (it brings Playwright's driver):
//   P=tests/Ferry.Web.Tests/bin/Release/net10.0/.playwright; $P/node/linux-x64/node bench/page-gc/probe.js FOLDER
const { chromium } = require(require('path').resolve(__dirname, '../../tests/Ferry.Web.Tests/bin/Release/net10.0/.playwright/package'));
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--js-flags=--expose-gc'] });
  const page = await browser.newPage();
  await page.setContent('<input type="file" id="f" webkitdirectory multiple>');
  const t0 = Date.now();
  await page.setInputFiles('#f', process.argv[2], { timeout: 300000 });
  console.log('input filled in', (Date.now() - t0) / 1000, 's');
  page.setDefaultTimeout(600000);
  const r = await page.evaluate(() => {
    const out = {};
    const timeGc = (label) => { const times = []; for (let k = 0; k < 3; k++) { const s = performance.now(); gc(); times.push(Math.round(performance.now() - s)); } out[label] = times.join('/') + ' ms, heap ' + Math.round(performance.memory.usedJSHeapSize / 1048576) + ' MiB'; };
    timeGc('fileList only');
    const list = document.getElementById('f').files;
    const files = [];
    for (let i = 0; i < list.length; i++) files.push(list[i]);
    timeGc('+ File wrappers in an array');
    const sizes = new Float64Array(files.length);
    let s = performance.now();
    for (let i = 0; i < files.length; i++) sizes[i] = files[i].size + files[i].lastModified * 0;
    out.metaRead = Math.round(performance.now() - s) + ' ms';
    timeGc('+ size/lastModified read');
    const items = files.map((file, i) => ({ file, path: file.webkitRelativePath.slice(0), sensor: i % 100, state: 0, size: sizes[i], modified: file.lastModified }));
    timeGc('+ Item objects with paths');
    const caps = items.map((it) => ({ capturedAt: '2026-01-01T00:00:00', make: 'X', model: 'Y', serial: 'Z' }));
    timeGc('+ a capture object each');
    window.keep = [files, items, caps];
    items.length = 0; caps.length = 0;
    timeGc('files only again');
    files.length = 0;
    timeGc('wrappers dropped');
    return out;
  });
  console.log(JSON.stringify(r, null, 1));
  await browser.close();
})();
