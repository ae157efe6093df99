package ghclient

import (
	"container/list"
	"sync"
)

// lruCache is an httpcache.Cache holding at most budget bytes of responses,
// evicting the least recently used. One per installation, so a token of
// installation A can never revalidate (and so be served) B's cached body.
type lruCache struct {
	mu     sync.Mutex
	budget int64
	used   int64
	order  *list.List // front = most recently used
	items  map[string]*list.Element
}

type lruEntry struct {
	key string
	val []byte
}

func newLRUCache(budget int64) *lruCache {
	return &lruCache{budget: budget, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the cached response bytes for key.
func (c *lruCache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).val, true
}

// Set stores a response; one larger than the whole budget is not kept.
func (c *lruCache) Set(key string, val []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(key)
	size := int64(len(key) + len(val))
	if size > c.budget {
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry{key: key, val: val})
	c.used += size
	for c.used > c.budget {
		c.remove(c.order.Back().Value.(*lruEntry).key)
	}
}

// Delete drops key.
func (c *lruCache) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(key)
}

func (c *lruCache) remove(key string) {
	e, ok := c.items[key]
	if !ok {
		return
	}
	c.order.Remove(e)
	delete(c.items, key)
	ent := e.Value.(*lruEntry)
	c.used -= int64(len(ent.key) + len(ent.val))
}

// Len and Bytes report the cache's size (metrics, tests).
func (c *lruCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *lruCache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}
