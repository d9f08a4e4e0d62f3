/** The page's HTML shell; the script (`/assets/app.js`) renders everything into `#app`. */

/** The HTML served at `/`. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mlobs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">mlobs</span>
  <nav aria-label="Views">
    <a href="#/incidents" data-nav="incidents">Incidents</a>
    <a href="#/pipelines" data-nav="pipelines">Pipelines &amp; models</a>
  </nav>
  <span id="live" class="live" role="status" aria-live="polite">connecting…</span>
</header>
<main id="main" tabindex="-1"><div id="app"></div></main>
<script src="/assets/app.js"></script>
</body>
</html>
`;
