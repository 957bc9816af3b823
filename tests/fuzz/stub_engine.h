/*
 * stub_engine — the engine without the kernel, for the control fuzz
 * target (see stub_engine.c).
 */
#ifndef ZONED_STUB_ENGINE_H
#define ZONED_STUB_ENGINE_H

/* Reloads that reached the engine. */
extern unsigned long stub_engine_reloads;

#endif
