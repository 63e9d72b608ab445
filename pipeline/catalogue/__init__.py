"""A publisher's catalogue: a folder of paper sources built into one site (issue 19).

`papers/<slug>/` are source folders as `pipeline build` takes them; `papers/catalogue.yaml` (optional)
names the site, its base URL and the order of the papers. Each paper's four editions are built by the
one builder (build.build) into `<out>/<slug>/`, only when its source, the templates or the code
changed (stamp), in parallel (run); then the site's own pages are written: the home page, the Atom
feed and the sitemap (site), and the search index over every paper (search).
"""
