// newsgen's search page: queries the Pagefind index that the build wrote to pagefind/.
// Every path comes from the page's own data attributes, which are relative links, so search
// works at a domain root and under a sub-path alike. Results are built as DOM nodes; the only
// markup taken from the index is Pagefind's <mark> around matched words.

const PAGE_SIZE = 10;
const TYPING_DELAY_MS = 250;

const form = document.querySelector("[data-search]");
if (form) {
  startSearch(form).catch((error) => {
    console.error(error);
    document.querySelector("[data-search-status]").textContent =
      "Search is not available right now: its index could not be loaded.";
  });
}

async function startSearch(form) {
  const status = document.querySelector("[data-search-status]");
  const list = document.querySelector("[data-search-results]");
  const more = document.querySelector("[data-search-more]");
  const input = form.elements.q;
  const selects = [...form.querySelectorAll("select[data-filter]")];
  const sort = form.elements.sort;
  const siteRoot = new URL(form.dataset.siteRoot, location.href);

  const filterPanel = form.querySelector(".search-filters");

  const pagefind = await import(new URL(form.dataset.bundle + "pagefind.js", location.href).href);
  await pagefind.options({ baseUrl: siteRoot.pathname, excerptLength: 30 });
  await pagefind.init();

  // The filter values come from every filter chunk of the index, so they load only when the
  // panel is opened (or the address asks for a filter), not for every plain query.
  let filtersFilled = null;
  const fillFiltersOnce = () => (filtersFilled ??= fillFilters(pagefind, selects));
  filterPanel.addEventListener("toggle", () => { if (filterPanel.open) fillFiltersOnce(); });
  filterPanel.hidden = false;

  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  sort.value = params.get("sort") || "";
  if (selects.some((select) => params.get(select.name)) || sort.value) {
    await fillFiltersOnce();
    for (const select of selects) select.value = params.get(select.name) || "";
    filterPanel.open = true;
  }

  let generation = 0;
  let results = [];
  let shown = 0;

  async function showMore(current) {
    const batch = results.slice(shown, shown + PAGE_SIZE);
    const items = await Promise.all(batch.map((result) => result.data()));
    if (current !== generation) return;
    for (const item of items) list.append(renderResult(item));
    shown += items.length;
    more.hidden = shown >= results.length;
  }

  async function run() {
    const current = ++generation;
    const query = input.value.trim();
    const filters = {};
    for (const select of selects) if (select.value) filters[select.dataset.filter] = select.value;
    rememberInUrl(query, filters, sort.value);
    if (!query && Object.keys(filters).length === 0) {
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    const options = { filters };
    if (sort.value) options.sort = { date: sort.value === "oldest" ? "asc" : "desc" };
    const search = await pagefind.search(query || null, options);
    if (current !== generation || search === null) return;
    results = search.results;
    shown = 0;
    list.replaceChildren();
    await showMore(current);
    if (current !== generation) return;
    status.textContent = describe(results.length, query, filters);
  }

  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, TYPING_DELAY_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  for (const select of [...selects, sort]) select.addEventListener("change", run);
  more.addEventListener("click", () => showMore(generation));
  if (input.value || selects.some((select) => select.value)) await run();
}

async function fillFilters(pagefind, selects) {
  const available = await pagefind.filters();
  for (const select of selects) {
    const counts = available[select.dataset.filter] || {};
    const names = Object.keys(counts);
    if (select.dataset.filter === "year") names.sort().reverse();
    else names.sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" }));
    if (names.length === 0) {
      select.closest("p").hidden = true;
      continue;
    }
    for (const name of names) select.append(new Option(`${name} (${counts[name]})`, name));
  }
}

function rememberInUrl(query, filters, order) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  if (order) params.set("sort", order);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function describe(count, query, filters) {
  const what = query ? ` for “${query}”` : "";
  const narrowed = Object.keys(filters).length ? " with the chosen filters" : "";
  if (count === 0) return `No articles found${what}${narrowed}.`;
  return `${count} article${count === 1 ? "" : "s"} found${what}${narrowed}.`;
}

function renderResult(item) {
  const entry = document.createElement("li");
  const teaser = entry.appendChild(document.createElement("article"));
  teaser.className = "teaser";
  const heading = teaser.appendChild(document.createElement("h2"));
  heading.className = "teaser-title";
  const link = heading.appendChild(document.createElement("a"));
  link.href = item.url;
  link.textContent = item.meta.title || item.url;
  if (item.meta.date) {
    const meta = teaser.appendChild(document.createElement("p"));
    meta.className = "meta";
    meta.textContent = item.meta.date;
  }
  const excerpt = teaser.appendChild(document.createElement("p"));
  excerpt.className = "summary";
  appendExcerpt(excerpt, item.excerpt);
  return entry;
}

// Copy Pagefind's excerpt as text, keeping only its <mark> elements. DOMParser builds an
// inert document: nothing in it runs or loads.
function appendExcerpt(target, html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  for (const node of parsed.body.childNodes) {
    if (node.nodeName === "MARK") {
      target.appendChild(document.createElement("mark")).textContent = node.textContent;
    } else {
      target.append(node.textContent);
    }
  }
}
