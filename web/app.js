// app.js - Mynt's web app entry: reads /config.json and shows the API's health.
const healthEl = document.getElementById('health');

async function main() {
  const config = await (await fetch('/config.json')).json();
  const res = await fetch(`${config.api_url}/health`);
  const body = await res.json();
  healthEl.textContent = res.ok && body.status === 'ok' ? 'up' : `unavailable (${res.status})`;
}

main().catch(() => { healthEl.textContent = 'unreachable'; });
