package store

import (
	"context"
	"fmt"

	"github.com/feedloom/feedloom/sources"
)

// BatchTx is one write transaction of a backend, in which WriteBatch writes
// a Batch: each method runs the backend's SQL for one part of it. WriteBatch
// calls no method with an empty list.
type BatchTx interface {
	Lookup
	// RemoveItems deletes source's items with the given ids and returns
	// how many it deleted.
	RemoveItems(ctx context.Context, source string, ids []string) (int, error)
	// WriteItems makes the writes, in order.
	WriteItems(ctx context.Context, writes []Write) error
	// PruneItems deletes source's items that r lets go and returns how
	// many it deleted.
	PruneItems(ctx context.Context, source string, r Retain) (int, error)
	// SaveState replaces source's fetch state with st.
	SaveState(ctx context.Context, source string, st sources.State) error
	// Subscriptions reads every list's subscriptions, as
	// Store.Subscriptions does.
	Subscriptions(ctx context.Context) ([]sources.Subscription, error)
	// SaveSubscriptions replaces list's subscriptions with subs.
	SaveSubscriptions(ctx context.Context, list string, subs []sources.Subscription) error
	// SaveFiles saves source's file fingerprints, each replacing the one
	// of its path.
	SaveFiles(ctx context.Context, source string, files []FileStamp) error
	// RemoveFiles deletes source's file fingerprints of these paths.
	RemoveFiles(ctx context.Context, source string, paths []string) error
	// BumpContent raises the content version (Store.Version) by one.
	BumpContent(ctx context.Context) error
}

// WriteBatch writes b as source's within tx, in the order Store.Apply
// documents: Batch.Remove first, so that a story whose id changed can keep
// its link and slug, then Batch.Items, then Batch.Retain, then Batch.State,
// then Batch.List, then the file fingerprints (Batch.Unfile, then
// Batch.Files); the content version goes up once when any of it changed
// items. It decides every item (and a list's new names) in memory from what
// tx reads (see planUpsert, planList), so nothing else may write items or
// subscriptions while tx is open. On an error the caller rolls tx back.
func WriteBatch(ctx context.Context, tx BatchTx, source string, b Batch) (Applied, error) {
	var done Applied
	var err error
	if len(b.Remove) > 0 {
		if done.Removed, err = tx.RemoveItems(ctx, source, b.Remove); err != nil {
			return Applied{}, err
		}
	}
	writes, held, err := planUpsert(ctx, tx, source, b.Items, b.Hashes)
	if err != nil {
		return Applied{}, err
	}
	if len(writes) > 0 {
		if err := tx.WriteItems(ctx, writes); err != nil {
			return Applied{}, err
		}
		for _, w := range writes {
			if !w.HashOnly {
				done.Changed++
			}
		}
	}
	if b.Retain != nil {
		if done.Pruned, err = tx.PruneItems(ctx, source, *b.Retain); err != nil {
			return Applied{}, fmt.Errorf("retention: %w", err)
		}
	}
	if b.State != nil {
		if err := tx.SaveState(ctx, source, *b.State); err != nil {
			return Applied{}, err
		}
	}
	if b.List != nil {
		all, err := tx.Subscriptions(ctx)
		if err != nil {
			return Applied{}, fmt.Errorf("subscriptions: %w", err)
		}
		if err := tx.SaveSubscriptions(ctx, source, planList(all, source, *b.List)); err != nil {
			return Applied{}, fmt.Errorf("subscriptions: %w", err)
		}
	}
	if len(b.Unfile) > 0 {
		if err := tx.RemoveFiles(ctx, source, b.Unfile); err != nil {
			return Applied{}, fmt.Errorf("file fingerprints: %w", err)
		}
	}
	if len(b.Files) > 0 {
		files := b.Files
		if len(held) > 0 {
			files = make([]FileStamp, len(b.Files))
			for i, f := range b.Files {
				if held[f.Path] {
					f.Hash = ""
				}
				files[i] = f
			}
		}
		if err := tx.SaveFiles(ctx, source, files); err != nil {
			return Applied{}, fmt.Errorf("file fingerprints: %w", err)
		}
	}
	if done.Changed+done.Removed+done.Pruned > 0 {
		if err := tx.BumpContent(ctx); err != nil {
			return Applied{}, err
		}
	}
	return done, nil
}
