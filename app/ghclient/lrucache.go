package ghclient

import (
	"container/list"
	"sync"
)

// lruCache is an httpcache.Cache holding at most budget bytes of responses,
// evicting the least recently used. One per installation, so a token of
// installation A can never revalidate (and so be served) B's cached body.
//
// The caches of one process also share a cacheBudget: the bytes of all of
// them together stay within its total, the least recently used entry of
// any installation going first. Without it 1 024 installations × 4 MiB
// could hold 4 GiB.
type lruCache struct {
	shared *cacheBudget // its lock guards every field below
	budget int64
	used   int64
	order  *list.List // of *lruEntry, front = most recently used
	items  map[string]*list.Element
}

type lruEntry struct {
	cache  *lruCache
	key    string
	val    []byte
	global *list.Element // in shared.order
}

func (e *lruEntry) size() int64 { return int64(len(e.key) + len(e.val)) }

// cacheBudget is the byte budget the installations' caches share.
type cacheBudget struct {
	mu    sync.Mutex
	total int64
	used  int64
	order *list.List // of *lruEntry across caches, front = most recently used
}

// newCacheBudget is a budget of total bytes (<= 0: unbounded, each cache's
// own budget only).
func newCacheBudget(total int64) *cacheBudget {
	return &cacheBudget{total: total, order: list.New()}
}

// newLRUCache is a cache of budget bytes on its own process budget.
func newLRUCache(budget int64) *lruCache { return newCacheBudget(0).cache(budget) }

// cache is a new installation cache of budget bytes within b.
func (b *cacheBudget) cache(budget int64) *lruCache {
	return &lruCache{shared: b, budget: budget, order: list.New(), items: map[string]*list.Element{}}
}

// Bytes is what all the caches on b hold.
func (b *cacheBudget) Bytes() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Get returns the cached response bytes for key.
func (c *lruCache) Get(key string) ([]byte, bool) {
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	ent := e.Value.(*lruEntry)
	c.shared.order.MoveToFront(ent.global)
	return ent.val, true
}

// Set stores a response; one larger than the cache's budget or the shared
// one is not kept. Storing may evict this installation's least recently
// used entries (its budget) and then any installation's (the shared one).
func (c *lruCache) Set(key string, val []byte) {
	b := c.shared
	b.mu.Lock()
	defer b.mu.Unlock()
	c.remove(key)
	ent := &lruEntry{cache: c, key: key, val: val}
	size := ent.size()
	if size > c.budget || b.total > 0 && size > b.total {
		return
	}
	c.items[key] = c.order.PushFront(ent)
	ent.global = b.order.PushFront(ent)
	c.used += size
	b.used += size
	for c.used > c.budget {
		c.remove(c.order.Back().Value.(*lruEntry).key)
	}
	for b.total > 0 && b.used > b.total {
		old := b.order.Back().Value.(*lruEntry)
		old.cache.remove(old.key)
	}
}

// Delete drops key.
func (c *lruCache) Delete(key string) {
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	c.remove(key)
}

// clear drops every entry (the installation's client is gone), giving its
// bytes back to the shared budget.
func (c *lruCache) clear() {
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	for c.order.Len() > 0 {
		c.remove(c.order.Back().Value.(*lruEntry).key)
	}
}

// remove drops key; the shared lock is held.
func (c *lruCache) remove(key string) {
	e, ok := c.items[key]
	if !ok {
		return
	}
	c.order.Remove(e)
	delete(c.items, key)
	ent := e.Value.(*lruEntry)
	c.shared.order.Remove(ent.global)
	c.used -= ent.size()
	c.shared.used -= ent.size()
}

// Len and Bytes report the cache's size (metrics, tests).
func (c *lruCache) Len() int {
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	return len(c.items)
}

func (c *lruCache) Bytes() int64 {
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	return c.used
}
