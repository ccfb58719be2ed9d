// newsgen's search page: queries the best-match index and the Pagefind index the build wrote to pagefind/.
// The index is cut into shards by date (write/search.py); the page lists their keys, newest
// first, in data-shards: the first is the primary index at pagefind/ (with Pagefind's script),
// each other one sits at pagefind/KEY/ and is merged in (mergeIndex) only when a query needs it.
// Every path comes from the page's own data attributes, which are relative links, so search
// works at a domain root and under a sub-path alike. Results are built as DOM nodes; the only
// markup taken from the index is Pagefind's <mark> around matched words. Every word the page
// shows comes from its `search-strings` JSON block, translated by the template (search.html).
//
// Best match (the default order) reads the best-match index beside Pagefind's
// (write/best_match.py: a few small files a query, whatever the number of shards); best match with
// filters merges every shard (Pagefind ranks merged results by score only). Newest first and
// oldest first search one shard at a time from that end, through the `shard` filter each merged
// index carries, until a page of results is found: the count is a lower bound ("at least N")
// until every shard was searched, and "Count them all" merges the rest.

const PAGE_SIZE = 10;
const TYPING_DELAY_MS = 250;

const form = document.querySelector("[data-search]");
const words = JSON.parse(document.getElementById("search-strings")?.textContent || "{}");
const numbers = new Intl.NumberFormat(words.locale, { numberingSystem: words.numbering });
const plurals = new Intl.PluralRules(words.locale);

// A message of the page's strings with {count} and {query} filled in; a message with plural
// forms (one per CLDR category) in the form the language uses for `count`.
function say(message, count = 0, query = "") {
  const text = typeof message === "string" ? message : (message[plurals.select(count)] ?? message.other);
  return text.replaceAll("{count}", () => numbers.format(count)).replaceAll("{query}", () => query);
}

async function startSearch(form) {
  const status = document.querySelector("[data-search-status]");
  const countAll = document.querySelector("[data-search-count]");
  const list = document.querySelector("[data-search-results]");
  const more = document.querySelector("[data-search-more]");
  const input = form.elements.q;
  const selects = [...form.querySelectorAll("select[data-filter]")];
  const sort = form.elements.sort;
  const siteRoot = new URL(form.dataset.siteRoot, location.href);
  const bundle = new URL(form.dataset.bundle, location.href);
  const shards = (form.dataset.shards || "").split(" ").filter(Boolean);

  const filterPanel = form.querySelector(".search-filters");
  if (shards.length === 0) {
    status.textContent = words.empty;
    return;
  }

  // Pagefind (its script and engine and the newest shard's metadata, about 170 kB) loads when a
  // query first needs it: newest or oldest first, a filter, or "Count them all". Best match
  // without filters never does.
  let pagefindLoaded = null;
  const loadPagefind = () => (pagefindLoaded ??= (async () => {
    const pagefind = await import(new URL("pagefind.js", bundle).href);
    await pagefind.options({ baseUrl: siteRoot.pathname, excerptLength: 30, mergeFilter: { shard: shards[0] } });
    await pagefind.init();
    return pagefind;
  })());
  const opened = new Map();
  // Pagefind, once the shard `key` is merged into it (the first shard is its own index).
  const openShard = (key) => {
    if (!opened.has(key)) {
      opened.set(key, loadPagefind().then(async (pagefind) => {
        if (key !== shards[0]) {
          await pagefind.mergeIndex(new URL(`${key}/`, bundle).pathname,
                                    { baseUrl: siteRoot.pathname, mergeFilter: { shard: key } });
        }
        return pagefind;
      }));
    }
    return opened.get(key);
  };
  const openAll = () => Promise.all(shards.map(openShard)).then(([pagefind]) => pagefind);

  // The filter values and their counts over the whole archive come from the best-match index
  // (one small file), loaded when the panel is opened or the address asks for a filter.
  let filtersFilled = null;
  const fillFiltersOnce = () => (filtersFilled ??= openBestIndex(bundle).then(
    ({ folder }) => bestFile(folder, "filters.dat")).then((counts) => fillFilters(counts, selects)));
  filterPanel.addEventListener("toggle", () => { if (filterPanel.open) safely(fillFiltersOnce)(); });
  filterPanel.hidden = false;

  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  sort.value = ["newest", "oldest"].includes(params.get("sort")) ? params.get("sort") : "";
  if (selects.some((select) => params.get(select.name))) {
    await fillFiltersOnce();
    for (const select of selects) select.value = params.get(select.name) || "";
    filterPanel.open = true;
  }

  let generation = 0;
  let search = null; // the query being shown: { query, filters, walk, next, results, complete }
  let shown = 0;

  // Search further shards, in the walk's order, until `wanted` results are at hand or none are left.
  async function gather(current, wanted) {
    while (!search.complete && search.results.length < wanted) {
      const key = search.walk[search.next++];
      const pagefind = await openShard(key);
      const found = await pagefind.search(search.query || null, {
        filters: { ...search.filters, shard: key }, sort: { date: search.order === "oldest" ? "asc" : "desc" } });
      if (current !== generation) return false;
      if (found) search.results.push(...found.results);
      search.complete = search.next >= search.walk.length;
    }
    return true;
  }

  async function showMore(current) {
    if (!(await gather(current, shown + PAGE_SIZE + 1))) return;
    const batch = search.results.slice(shown, shown + PAGE_SIZE);
    const items = search.ranked
      ? await search.ranked.show(batch, siteRoot)
      : await Promise.all(batch.map((result) => result.data()));
    if (current !== generation) return;
    for (const item of items) list.append(renderResult(item));
    shown += items.length;
    more.hidden = shown >= search.results.length;
    if (search.ranked && search.results.length > 0) {
      // A ranking, not a count: an article holding any of the words may be listed, where Pagefind
      // counts the articles holding all of them.
      status.textContent = say(words.bestQuery, 0, search.query);
      return;
    }
    status.textContent = describe(search.results.length, search.complete, search.query, search.filters);
    countAll.hidden = search.complete;
  }

  async function run() {
    const current = ++generation;
    const query = input.value.trim();
    const filters = {};
    for (const select of selects) if (select.value) filters[select.dataset.filter] = select.value;
    rememberInUrl(query, filters, sort.value);
    countAll.hidden = true;
    if (!query && Object.keys(filters).length === 0) {
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      return;
    }
    status.textContent = words.searching;
    // Best match (the default) needs words to rank by: filters alone list the newest first.
    const order = sort.value || (query ? "best" : "newest");
    search = { query, filters, order, walk: order === "oldest" ? [...shards].reverse() : shards,
               next: 0, results: [], complete: false };
    if (order === "best" && query && Object.keys(filters).length === 0) {
      search.ranked = await bestMatches(bundle, query);
      if (current !== generation) return;
      search.results = search.ranked.articles;
      search.complete = true;
    } else if (order === "best") {
      const pagefind = await openAll();
      const found = await pagefind.search(query || null, { filters });
      if (current !== generation || found === null) return;
      search.results = found.results;
      search.complete = true;
    }
    shown = 0;
    list.replaceChildren();
    await showMore(current);
  }

  async function countEverything() {
    const current = generation;
    countAll.disabled = true;
    const pagefind = await openAll();
    const found = await pagefind.search(search.query || null, { filters: search.filters });
    countAll.disabled = false;
    if (current !== generation || found === null) return;
    countAll.hidden = true;
    status.textContent = describe(found.results.length, true, search.query, search.filters);
  }

  // An index file that cannot be loaded (the site replaced while the page was open, a host
  // refusing a file) leaves the page saying so, whichever action needed it.
  const safely = (task) => () => task().catch((error) => {
    console.error(error);
    status.textContent = words.unavailable;
  });
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(safely(run), TYPING_DELAY_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    safely(run)();
  });
  for (const select of [...selects, sort]) select.addEventListener("change", safely(run));
  more.addEventListener("click", safely(() => showMore(generation)));
  countAll.addEventListener("click", safely(countEverything));
  if (input.value || selects.some((select) => select.value)) await run();
}

// The best-match index (write/best_match.py), opened when first needed: `best.json` names the
// folder of its files and how many stem files there are.
let bestIndex = null;
const bestFiles = new Map();

function openBestIndex(bundle) {
  bestIndex ??= fetch(new URL("best.json", bundle)).then((response) => {
    if (!response.ok) throw new Error(`best.json: HTTP ${response.status}`);
    return response.json();
  }).then((index) => ({ index, folder: new URL(index.folder, bundle) }));
  return bestIndex;
}

// A file of the index, gzip-compressed JSON (unless the host already undid the compression);
// null when the index has no such file (no word of the archive starts that way).
function bestFile(folder, name) {
  if (!bestFiles.has(name)) {
    bestFiles.set(name, fetch(new URL(name, folder)).then(async (response) => {
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
      let body = new Uint8Array(await response.arrayBuffer());
      if (body[0] === 0x1f && body[1] === 0x8b) {
        body = new Uint8Array(await new Response(new Blob([body]).stream()
          .pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
      }
      return JSON.parse(new TextDecoder().decode(body));
    }));
  }
  return bestFiles.get(name);
}

// The words of a text as the index holds them: lower case, accents dropped, letters and digits.
function wordsOf(text) {
  return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "").match(/[\p{L}\p{N}_]+/gu) || [];
}

function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

const hex = (text) => [...new TextEncoder().encode(text)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

// The stems a query word stands for: its own, and for the last word while it is being typed
// (no space after it), those of the (at most PREFIX_FORMS shortest) forms it begins.
const PREFIX_FORMS = 8;
const STEM_SLACK = 3;
async function stemsOf(folder, word, typing) {
  const forms = (await bestFile(folder, `w-${hex([...word].slice(0, 2).join(""))}.dat`)) || {};
  const stems = new Set();
  if (Object.hasOwn(forms, word)) {
    stems.add(forms[word] || word);
  } else {
    // A form the archive does not hold ("harvests"): the longest one it holds that the word begins
    // with, a few letters shorter ("harvest"), stands for it.
    const shorter = Object.keys(forms).filter((form) => form.length >= Math.max(3, word.length - STEM_SLACK)
                                                        && word.startsWith(form));
    shorter.sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    if (shorter.length) stems.add(forms[shorter[0]] || shorter[0]);
  }
  if (typing && [...word].length >= 2) {
    const longer = Object.keys(forms).filter((form) => form.length > word.length && form.startsWith(word));
    longer.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    for (const form of longer.slice(0, PREFIX_FORMS)) stems.add(forms[form] || form);
  }
  return [...stems];
}

// The articles best matching a query, best first: each scores, for each word of the query, its
// stem's IDF times the stem's weight in it (the best of the word's stems), summed over the words.
async function bestMatches(bundle, query) {
  const { index, folder } = await openBestIndex(bundle);
  const queryWords = [...new Set(wordsOf(query))];
  const typing = !/\s$/.test(query);
  const scores = new Map();
  await Promise.all(queryWords.map(async (word, place) => {
    const stems = await stemsOf(folder, word, typing && place === queryWords.length - 1);
    const best = new Map();
    await Promise.all(stems.map(async (stem) => {
      const file = await bestFile(folder, `s-${fnv1a(stem) % index.stems}.dat`);
      const entry = file && file[stem];
      if (!entry) return;
      const idf = entry[0];
      for (let at = 1, number = 0; at < entry.length; at += 2) {
        number += entry[at];
        best.set(number, Math.max(best.get(number) || 0, idf * entry[at + 1]));
      }
    }));
    for (const [number, score] of best) scores.set(number, (scores.get(number) || 0) + score);
  }));
  const articles = [...scores].sort((a, b) => b[1] - a[1] || b[0] - a[0]).map(([number]) => number);
  const show = async (numbers, siteRoot) => Promise.all(numbers.map(async (number) => {
    const block = await bestFile(folder, `d-${Math.floor(number / index.block)}.dat`);
    const [url, title, date, summary, lang, dir] = block[number % index.block];
    return { url: new URL(url, siteRoot).pathname, meta: { title, date, lang, dir }, marked: [summary, queryWords] };
  }));
  return { articles, show };
}

function fillFilters(available, selects) {
  for (const select of selects) {
    const counts = available[select.dataset.filter] || {};
    const names = Object.keys(counts);
    if (select.dataset.filter === "year") names.sort().reverse();
    else names.sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" }));
    if (names.length === 0) {
      select.closest("p").hidden = true;
      continue;
    }
    for (const name of names) select.append(new Option(`${name} (${numbers.format(counts[name])})`, name));
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

// `complete` is false while shards are left unsearched: the count is then a lower bound ("at least").
function describe(count, complete, query, filters) {
  let message;
  if (count === 0 && complete) message = query ? words.noneQuery : words.none;
  else if (complete) message = query ? words.foundQuery : words.found;
  else message = query ? words.atLeastQuery : words.atLeast;
  const narrowed = Object.keys(filters).length ? ` ${words.filtered}` : "";
  return say(message, count, query) + narrowed;
}

function renderResult(item) {
  const entry = document.createElement("li");
  const teaser = entry.appendChild(document.createElement("article"));
  teaser.className = "teaser";
  if (item.meta.lang) {  // an article in another language than the page's
    teaser.lang = item.meta.lang;
    teaser.dir = item.meta.dir || "auto";
  }
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
  if (item.marked) appendMarked(excerpt, ...item.marked);
  else appendExcerpt(excerpt, item.excerpt);
  return entry;
}

// A summary as text, each word that begins like a word of the query in a <mark>.
function appendMarked(target, text, queryWords) {
  for (const piece of text.split(/([\p{L}\p{N}_\p{M}]+)/u)) {
    const word = wordsOf(piece)[0];
    if (word && queryWords.some((wanted) => word.startsWith(wanted))) {
      target.appendChild(document.createElement("mark")).textContent = piece;
    } else {
      target.append(piece);
    }
  }
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

// Last, once every declaration above is in place.
if (form) {
  startSearch(form).catch((error) => {
    console.error(error);
    document.querySelector("[data-search-status]").textContent = words.unavailable;
  });
}
