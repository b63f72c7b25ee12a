"""CandidateIndex: MinHash LSH banding (datasketch's parameters) over compact numpy tables.

datasketch's MinHashLSH keeps each band in a dict of byte-string keys to sets
of keys: about 8 KB per indexed article at 82 bands (bench/index_memory.py),
so a year of a large crawl does not fit. This index keeps the same bands,
chosen by datasketch (`MinHashLSH` picks bands x rows for the threshold, and a
band's key is its hash values as datasketch hashes them), in sorted arrays:
per band and article one key (uint32 when a band is one affine32 value, else a
64-bit xxh3 of the band's bytes, as datasketch's ``hashfunc`` compression does)
and one int32 row number, under 700 bytes per article at 82 bands.

New entries go to a small unsorted table, scanned whole per query, merged into
the sorted tables when it fills (a merge of two sorted runs). Removed entries
are marked dead, and dropped at the next merge.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable

import numpy as np
import xxhash

from wiredup.settings import GroupingSettings

RECENT_CAPACITY = 4096  # entries scanned whole per query before they are merged into the sorted tables

# What datasketch chooses for the default threshold and num_perm (GroupingSettings), known ahead:
# asking MinHashLSH imports scipy, about a second at every crawl's start (bench/README.md, issue
# 19). tests/test_cold_start.py checks each entry is still datasketch's choice.
KNOWN_BANDS = {(0.02, 128): (82, 1)}


@functools.cache
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch chooses for a threshold; cached, because
    choosing takes a numerical integration (~50 ms) and indexes are made often.

    >>> lsh_bands(0.02, 128), lsh_bands(0.5, 128)
    ((82, 1), (25, 5))
    """
    if (threshold, num_perm) in KNOWN_BANDS:
        return KNOWN_BANDS[threshold, num_perm]
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def ordered(keys: Iterable) -> list:
    """Keys sorted, or sorted by repr when their types cannot be compared: deterministic either way."""
    keys = list(keys)
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=repr)


class CandidateIndex:
    """LSH candidates of fingerprints: proposes copies, `compare` decides.

    >>> from wiredup.group.fingerprint import fingerprint
    >>> s = GroupingSettings()
    >>> index = CandidateIndex(s)
    >>> fp = fingerprint("A story that is long enough to have a few shingles in it.", s)
    >>> index.add("a", fp)
    >>> index.candidates(fp), "a" in index, len(index), index.bands, index.rows
    (['a'], True, 1, 82, 1)
    """

    def __init__(self, settings: GroupingSettings):
        self.settings = settings
        self.bands, self.rows = lsh_bands(settings.lsh_threshold, settings.num_perm)
        # One affine32 value per band is its own key; wider bands are hashed to 64 bits.
        self._dtype = np.uint32 if self.rows == 1 else np.uint64
        self._keys: list = []  # row number -> key (None once removed)
        self._row_of: dict = {}  # key -> row number
        self._alive = np.zeros(0, dtype=bool)
        self._sorted_values = np.zeros((self.bands, 0), dtype=self._dtype)  # each band sorted
        self._sorted_rows = np.zeros((self.bands, 0), dtype=np.int32)
        self._recent_values = np.zeros((RECENT_CAPACITY, self.bands), dtype=self._dtype)
        self._recent_rows = np.zeros(RECENT_CAPACITY, dtype=np.int32)
        self._recent = 0
        self._dead = 0

    # ------------------------------------------------------------ band keys

    def band_keys(self, hashvalues: np.ndarray) -> np.ndarray:
        """Band keys of MinHash hash values: shape (bands,), or (n, bands) for an (n, num_perm) array."""
        hashvalues = np.asarray(hashvalues)  # uint64 from datasketch, uint32 from `minhash_table`
        single = hashvalues.ndim == 1
        table = hashvalues[None, :] if single else hashvalues
        if self.rows == 1:
            keys = table[:, : self.bands].astype(np.uint32)
        else:
            # datasketch's band key is the band's values as big-endian bytes; hashed as its hashfunc would
            swapped = table[:, : self.bands * self.rows].astype(">u8")
            keys = np.array(
                [[xxhash.xxh3_64_intdigest(row[b * self.rows : (b + 1) * self.rows].tobytes()) for b in range(self.bands)]
                 for row in swapped],
                dtype=np.uint64,
            ).reshape(len(table), self.bands)
        return keys[0] if single else keys

    # ------------------------------------------------------------ writing

    def add(self, key: Hashable, fp) -> None:
        """Index one fingerprint under ``key`` (a key may be indexed once at a time)."""
        self.add_many([(key, fp)])

    def add_many(self, items: Iterable[tuple[Hashable, object]]) -> None:
        """Index many fingerprints; one sort per band for a large batch (how an index is built at open)."""
        items = list(items)
        if items:
            self.add_hashvalues([key for key, _ in items], np.array([fp.minhash.hashvalues for _, fp in items]))

    def add_hashvalues(self, keys: list, hashvalues: np.ndarray) -> None:
        """Index ``keys`` by their MinHash hash values, an (n, num_perm) array (see `minhash_table`)."""
        for key in keys:
            if key in self._row_of:
                raise ValueError(f"key already indexed: {key!r}")
        if len(set(keys)) != len(keys):
            raise ValueError("a key appears twice in one batch")
        band_keys = self.band_keys(hashvalues)
        first = len(self._keys)
        self._row_of.update(zip(keys, range(first, first + len(keys))))
        self._keys.extend(keys)
        self._alive = np.append(self._alive, np.ones(len(keys), dtype=bool))
        rows = np.arange(first, first + len(keys), dtype=np.int32)
        if self._recent + len(keys) <= RECENT_CAPACITY:
            self._recent_values[self._recent : self._recent + len(keys)] = band_keys
            self._recent_rows[self._recent : self._recent + len(keys)] = rows
            self._recent += len(keys)
        else:
            self._merge(band_keys, rows)

    def remove(self, key: Hashable) -> None:
        """Forget ``key`` (for an article whose text changed, or one that left the window)."""
        row = self._row_of.pop(key)
        self._keys[row] = None
        self._alive[row] = False
        self._dead += 1

    def _merge(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Move the recent table and ``keys``/``rows`` into the sorted tables, dropping removed rows.

        Row numbers are never reused, so dropping a dead entry needs no renumbering.
        """
        new_values = np.concatenate((self._recent_values[: self._recent], keys)).T  # (bands, n)
        new_rows = np.concatenate((self._recent_rows[: self._recent], rows))
        self._recent = 0
        new_alive = self._alive[new_rows]
        new_values, new_rows = new_values[:, new_alive], new_rows[new_alive]
        merged_values, merged_rows = [], []
        for band in range(self.bands):
            values, band_rows = self._sorted_values[band], self._sorted_rows[band]
            if self._dead:
                alive = self._alive[band_rows]
                values, band_rows = values[alive], band_rows[alive]
            values = np.concatenate((values, new_values[band]))
            order = np.argsort(values, kind="stable")  # timsort: two sorted runs merge in linear time
            merged_values.append(values[order])
            merged_rows.append(np.concatenate((band_rows, new_rows))[order])
        self._sorted_values, self._sorted_rows = np.array(merged_values), np.array(merged_rows)
        self._dead = 0

    # ------------------------------------------------------------ reading

    def candidates(self, fp) -> list:
        """Keys that may be copies of ``fp`` (share a band with it); an empty text has no candidates."""
        if not len(fp.shingles):
            return []
        query = self.band_keys(fp.minhash.hashvalues)
        found = [self._recent_rows[: self._recent][(self._recent_values[: self._recent] == query).any(axis=1)]]
        if self._sorted_values.shape[1]:
            for band in range(self.bands):
                values = self._sorted_values[band]
                low = np.searchsorted(values, query[band], side="left")
                if low < len(values) and values[low] == query[band]:
                    high = np.searchsorted(values, query[band], side="right")
                    found.append(self._sorted_rows[band, low:high])
        rows = np.unique(np.concatenate(found))
        return ordered(self._keys[row] for row in rows[self._alive[rows]])

    def row(self, key: Hashable) -> int:
        """The row number of an indexed key: stable while it is indexed (rows are never reused), so
        callers may keep a column of their own beside the index."""
        return self._row_of[key]

    def keys(self) -> list:
        """The indexed keys, in the order they were added."""
        return [key for key in self._keys if key is not None]

    def __contains__(self, key) -> bool:
        return key in self._row_of

    def __len__(self) -> int:
        return len(self._row_of)

    def nbytes(self) -> int:
        """Bytes of the index's tables (the keys themselves and their dict not counted)."""
        return sum(a.nbytes for a in (self._sorted_values, self._sorted_rows, self._recent_values, self._recent_rows, self._alive))
