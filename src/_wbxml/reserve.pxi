# Elements in chunks of their own, and the reserve of emptied chunks kept for the next trees
# (set_element_reserve).
# Included by _wbxml.pyx (one compilation unit); order matters.

cdef extern from *:
    """
    /* The chunks are off where the GIL does not guard them. AddressSanitizer builds keep
       them, with every block that is not handed out poisoned, so that a use of a freed
       Element is reported as with Python's own allocator. */
    #if defined(__has_feature)
    #  if __has_feature(address_sanitizer)
    #    define _SYNCML_ASAN 1
    #  endif
    #endif
    #if defined(__SANITIZE_ADDRESS__)
    #  define _SYNCML_ASAN 1
    #endif
    #ifdef _SYNCML_ASAN
    #  include <sanitizer/asan_interface.h>
    #  define _SYNCML_POISON(block, size) ASAN_POISON_MEMORY_REGION((block), (size))
    #  define _SYNCML_UNPOISON(block, size) ASAN_UNPOISON_MEMORY_REGION((block), (size))
    #else
    #  define _SYNCML_POISON(block, size) ((void) 0)
    #  define _SYNCML_UNPOISON(block, size) ((void) 0)
    #endif
    #if defined(Py_GIL_DISABLED)
    #  define _SYNCML_NO_RESERVE 1
    #endif
    #ifdef _SYNCML_NO_RESERVE
    #  define _SYNCML_RESERVE_ON 0
    #else
    #  define _SYNCML_RESERVE_ON 1
    #endif
    #define _syncml_set_allocator(type, alloc, release) \
        ((type)->tp_alloc = (alloc), (type)->tp_free = (release))
    """
    bint _RESERVE_ON "_SYNCML_RESERVE_ON"
    ctypedef PyObject* (*_AllocFunction)(PyTypeObject*, Py_ssize_t) noexcept
    ctypedef void (*_FreeFunction)(void*) noexcept
    void _set_allocator "_syncml_set_allocator" (PyTypeObject* type, _AllocFunction alloc,
                                                 _FreeFunction release)


cdef extern from "Python.h":
    int PyTraceMalloc_Track(unsigned int domain, uintptr_t block, size_t size)
    int PyTraceMalloc_Untrack(unsigned int domain, uintptr_t block)
    PyObject* PyType_GenericAlloc(PyTypeObject* type, Py_ssize_t items)
    PyObject* PyErr_NoMemory()
    PyObject* _init_object "PyObject_Init" (PyObject* block, PyTypeObject* type)
    PyTypeObject* _type_of "Py_TYPE" (void* block)
    bint PyType_IS_GC(PyTypeObject* type)
    void PyObject_Free(void* block)
    void PyObject_GC_Del(void* block)


cdef extern from *:
    """
    /* Elements live in chunks of their own, taken from the system through CPython's arena
       allocator (mmap, VirtualAlloc) and given back to it: so a freed tree pins no memory but
       the chunks the reserve keeps. A chunk is CHUNK_BYTES of 4 KiB pages; each page starts
       with a header slot naming its chunk, and holds Element blocks after it. The chunk's own
       fields are its first page's header (nothing of it lives in the C heap, where it could
       keep the heap from shrinking). */
    #define _SYNCML_PAGE_BYTES 4096
    #define _SYNCML_CHUNK_BYTES (256 * 1024)

    typedef struct _syncml_chunk {
        struct _syncml_chunk* self;  /* first, as every page's header slot: the chunk */
        struct _syncml_chunk* prev;  /* in the list it is in (partial or empty), if any */
        struct _syncml_chunk* next;
        char* memory;                /* CHUNK_BYTES from the arena allocator: this struct */
        void* free;                  /* freed blocks, linked through their first word */
        char* fresh;                 /* the next never-used block, or NULL */
        Py_ssize_t live;             /* blocks handed out */
        int list;                    /* 0 none (every block out), 1 partial, 2 empty */
    } _syncml_chunk;

    typedef struct {
        _syncml_chunk* head;
    } _syncml_list;

    static void _syncml_unlink(_syncml_list* list, _syncml_chunk* chunk) {
        if (chunk->prev) chunk->prev->next = chunk->next; else list->head = chunk->next;
        if (chunk->next) chunk->next->prev = chunk->prev;
        chunk->prev = chunk->next = NULL;
    }

    static void _syncml_push(_syncml_list* list, _syncml_chunk* chunk) {
        chunk->prev = NULL;
        chunk->next = list->head;
        if (list->head) list->head->prev = chunk;
        list->head = chunk;
    }

    static _syncml_chunk* _syncml_chunk_of(void* block) {
        return *(_syncml_chunk**) ((uintptr_t) block & ~(uintptr_t) (_SYNCML_PAGE_BYTES - 1));
    }

    static _syncml_chunk* _syncml_new_chunk(size_t block_size) {
        PyObjectArenaAllocator arenas;
        _syncml_chunk* chunk;
        char* memory;
        char* page;
        PyObject_GetArenaAllocator(&arenas);
        memory = (char*) arenas.alloc(arenas.ctx, _SYNCML_CHUNK_BYTES);
        if (memory == NULL) return NULL;
        if ((uintptr_t) memory & (_SYNCML_PAGE_BYTES - 1)) {  /* not page aligned: unusable */
            arenas.free(arenas.ctx, memory, _SYNCML_CHUNK_BYTES);
            return NULL;
        }
        chunk = (_syncml_chunk*) memory;
        memset(chunk, 0, sizeof(_syncml_chunk));
        chunk->memory = memory;
        for (page = memory; page < memory + _SYNCML_CHUNK_BYTES; page += _SYNCML_PAGE_BYTES)
            *(_syncml_chunk**) page = chunk;
        /* the first block after the chunk's fields, on a block boundary */
        chunk->fresh = memory + (sizeof(_syncml_chunk) + block_size - 1) / block_size * block_size;
        for (page = memory; page < memory + _SYNCML_CHUNK_BYTES; page += _SYNCML_PAGE_BYTES) {
            char* first = page == memory ? chunk->fresh : page + block_size;
            _SYNCML_POISON(first, page + _SYNCML_PAGE_BYTES - first);  /* no block handed out */
        }
        return chunk;
    }

    static void _syncml_release_chunk(_syncml_chunk* chunk) {
        PyObjectArenaAllocator arenas;
        _SYNCML_UNPOISON(chunk->memory, _SYNCML_CHUNK_BYTES);
        PyObject_GetArenaAllocator(&arenas);
        arenas.free(arenas.ctx, chunk->memory, _SYNCML_CHUNK_BYTES);
    }

    /* The next block of a chunk with room (a freed one, else a fresh one), or NULL. */
    static void* _syncml_take(_syncml_chunk* chunk, size_t block_size) {
        void* block = chunk->free;
        if (block != NULL) {
            _SYNCML_UNPOISON(block, block_size);
            chunk->free = *(void**) block;
        } else if (chunk->fresh != NULL) {
            uintptr_t offset;
            block = chunk->fresh;
            chunk->fresh += block_size;
            offset = (uintptr_t) chunk->fresh & (_SYNCML_PAGE_BYTES - 1);
            if (offset == 0) {  /* a page's first slot is its header */
                chunk->fresh += block_size;
            } else if (offset + block_size > _SYNCML_PAGE_BYTES) {  /* the next page's first */
                chunk->fresh += _SYNCML_PAGE_BYTES - offset + block_size;
            }
            if (chunk->fresh + block_size > chunk->memory + _SYNCML_CHUNK_BYTES)
                chunk->fresh = NULL;
            _SYNCML_UNPOISON(block, block_size);
        }
        if (block != NULL) chunk->live++;
        return block;
    }
    """
    int _PAGE_BYTES "_SYNCML_PAGE_BYTES"
    int _CHUNK_BYTES "_SYNCML_CHUNK_BYTES"
    ctypedef struct _Chunk "_syncml_chunk":
        _Chunk* next
        void* free
        char* fresh
        Py_ssize_t live
        int list
    ctypedef struct _ChunkList "_syncml_list":
        _Chunk* head
    void _unlink "_syncml_unlink" (_ChunkList* chunks, _Chunk* chunk) noexcept
    void _push "_syncml_push" (_ChunkList* chunks, _Chunk* chunk) noexcept
    _Chunk* _chunk_of "_syncml_chunk_of" (void* block) noexcept
    _Chunk* _new_chunk "_syncml_new_chunk" (size_t block_size) noexcept
    void _release_chunk "_syncml_release_chunk" (_Chunk* chunk) noexcept
    void* _take "_syncml_take" (_Chunk* chunk, size_t block_size) noexcept
    void _poison "_SYNCML_POISON" (void* block, size_t size) noexcept


DEF DEFAULT_ELEMENT_RESERVE = 16 * 1024 * 1024  # bytes; api.set_element_reserve

cdef PyTypeObject* _ELEMENT_TYPE = <PyTypeObject*> Element
cdef size_t _ELEMENT_SIZE = _ELEMENT_TYPE.tp_basicsize
cdef size_t _BLOCK_SIZE = (_ELEMENT_SIZE + 15) & ~(<size_t> 15)  # aligned as pymalloc aligns
# The chunks, all touched with the GIL held and no Python code running (so never by two
# threads at once): those with free blocks and Elements out, those with none out (the reserve).
cdef _ChunkList _partial
cdef _ChunkList _empty
cdef Py_ssize_t _empty_count = 0
cdef Py_ssize_t _reserve_limit = DEFAULT_ELEMENT_RESERVE if _RESERVE_ON else 0


cdef PyObject* _element_alloc(PyTypeObject* type, Py_ssize_t items) noexcept:
    """Element's tp_alloc: a block from a chunk with room (one with Elements out, else one from
    the reserve, else a new one); subclasses go to Python's allocator."""
    global _empty_count
    cdef _Chunk* chunk
    cdef void* block
    if type != _ELEMENT_TYPE or items != 0:
        return PyType_GenericAlloc(type, items)
    chunk = _partial.head
    if chunk == NULL:
        chunk = _empty.head
        if chunk != NULL:
            _unlink(&_empty, chunk)
            _empty_count -= 1
        else:
            chunk = _new_chunk(_BLOCK_SIZE)
            if chunk == NULL:
                return PyErr_NoMemory()  # never a block from elsewhere: its free would look
                                         # for its chunk
        _push(&_partial, chunk)
        chunk.list = 1
    block = _take(chunk, _BLOCK_SIZE)
    if chunk.free == NULL and chunk.fresh == NULL:  # every block out: in no list until one is back
        _unlink(&_partial, chunk)
        chunk.list = 0
    memset(block, 0, _ELEMENT_SIZE)
    PyTraceMalloc_Track(0, <uintptr_t> block, _ELEMENT_SIZE)  # as Python's allocator would
    return _init_object(<PyObject*> block, type)


cdef void _element_free(void* block) noexcept:
    """Element's tp_free: the block goes back to its chunk; a chunk left with no Element out
    joins the reserve while the reserve has room, else goes back to the system."""
    global _empty_count
    cdef PyTypeObject* type = _type_of(block)
    cdef _Chunk* chunk
    if type != _ELEMENT_TYPE:
        if PyType_IS_GC(type):  # a subclass with a __dict__
            PyObject_GC_Del(block)
        else:
            PyObject_Free(block)
        return
    PyTraceMalloc_Untrack(0, <uintptr_t> block)
    chunk = _chunk_of(block)
    (<void**> block)[0] = chunk.free
    chunk.free = block
    _poison(block, _BLOCK_SIZE)  # in sanitizer builds: a freed Element is not to be touched
    chunk.live -= 1
    if chunk.list == 0:
        _push(&_partial, chunk)
        chunk.list = 1
    if chunk.live == 0:
        _unlink(&_partial, chunk)
        if (_empty_count + 1) * _CHUNK_BYTES <= _reserve_limit:
            _push(&_empty, chunk)
            chunk.list = 2
            _empty_count += 1
        else:
            _release_chunk(chunk)


def set_element_reserve(Py_ssize_t max_bytes):
    """Keep at most ``max_bytes`` of emptied Element chunks for the next trees
    (``api.set_element_reserve``); the previous limit."""
    global _empty_count, _reserve_limit
    cdef _Chunk* chunk
    if max_bytes < 0:
        raise ValueError("max_bytes must not be negative")
    previous = _reserve_limit
    _reserve_limit = max_bytes if _RESERVE_ON else 0
    while _empty_count * _CHUNK_BYTES > _reserve_limit:
        chunk = _empty.head
        _unlink(&_empty, chunk)
        _empty_count -= 1
        _release_chunk(chunk)
    return previous


def _element_reserve_bytes():
    """The bytes the reserve keeps now: its emptied chunks (for tests)."""
    return _empty_count * _CHUNK_BYTES


if _RESERVE_ON:
    _set_allocator(_ELEMENT_TYPE, _element_alloc, _element_free)
