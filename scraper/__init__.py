"""wiredup: crawl news sites, extract articles, group wire-story copies, store them in SQLite."""
