# The reserve of freed Elements, reused by the next trees (set_element_reserve).
# Included by _wbxml.pyx (one compilation unit); order matters.

cdef extern from *:
    """
    /* The reserve is off where the GIL does not guard it, and in AddressSanitizer builds,
       which must see every Element allocated and freed. */
    #if defined(__has_feature)
    #  if __has_feature(address_sanitizer)
    #    define _SYNCML_NO_RESERVE 1
    #  endif
    #endif
    #if defined(Py_GIL_DISABLED) || defined(__SANITIZE_ADDRESS__)
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
    PyObject* _init_object "PyObject_Init" (PyObject* block, PyTypeObject* type)
    PyTypeObject* _type_of "Py_TYPE" (void* block)
    bint PyType_IS_GC(PyTypeObject* type)
    void PyObject_Free(void* block)
    void PyObject_GC_Del(void* block)


DEF DEFAULT_ELEMENT_RESERVE = 16 * 1024 * 1024  # bytes; api.set_element_reserve

cdef PyTypeObject* _ELEMENT_TYPE = <PyTypeObject*> Element
cdef size_t _ELEMENT_SIZE = _ELEMENT_TYPE.tp_basicsize
cdef void* _reserve = NULL  # freed Elements, each block's first word linking to the next
cdef Py_ssize_t _reserve_count = 0
cdef Py_ssize_t _reserve_limit = DEFAULT_ELEMENT_RESERVE // _ELEMENT_SIZE if _RESERVE_ON else 0


cdef PyObject* _element_alloc(PyTypeObject* type, Py_ssize_t items) noexcept:
    """Element's tp_alloc: a block from the reserve, else Python's allocator."""
    global _reserve, _reserve_count
    cdef void* block = _reserve
    if block == NULL or type != _ELEMENT_TYPE or items != 0:
        return PyType_GenericAlloc(type, items)
    _reserve = (<void**> block)[0]
    _reserve_count -= 1
    memset(block, 0, _ELEMENT_SIZE)
    PyTraceMalloc_Track(0, <uintptr_t> block, _ELEMENT_SIZE)  # as Python's allocator would
    return _init_object(<PyObject*> block, type)


cdef void _element_free(void* block) noexcept:
    """Element's tp_free: the block joins the reserve while it has room (a subclass's never)."""
    global _reserve, _reserve_count
    cdef PyTypeObject* type = _type_of(block)
    if type == _ELEMENT_TYPE and _reserve_count < _reserve_limit:
        PyTraceMalloc_Untrack(0, <uintptr_t> block)
        (<void**> block)[0] = _reserve
        _reserve = block
        _reserve_count += 1
    elif PyType_IS_GC(type):  # a subclass with a __dict__
        PyObject_GC_Del(block)
    else:
        PyObject_Free(block)


def set_element_reserve(Py_ssize_t max_bytes):
    """Keep at most ``max_bytes`` of freed Elements for the next trees (``api.set_element_reserve``);
    the previous limit."""
    global _reserve, _reserve_count, _reserve_limit
    cdef void* block
    if max_bytes < 0:
        raise ValueError("max_bytes must not be negative")
    previous = _reserve_limit * _ELEMENT_SIZE
    _reserve_limit = max_bytes // _ELEMENT_SIZE if _RESERVE_ON else 0
    while _reserve_count > _reserve_limit:
        block = _reserve
        _reserve = (<void**> block)[0]
        _reserve_count -= 1
        PyObject_Free(block)
    return previous


if _RESERVE_ON:
    _set_allocator(_ELEMENT_TYPE, _element_alloc, _element_free)
