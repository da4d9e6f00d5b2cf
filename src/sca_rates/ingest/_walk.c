/* The byte walk behind scan.py: one pass over a chunk of a JSON document, following strings,
 * escapes and brackets, that records where each object of one top-level array begins and ends
 * and where one of its string fields lies. scan.py holds the walk's state between chunks (its
 * layout is the enum below, the same as there) and says what is checked and why.
 *
 * It is C because this loop is the importer's cost. Measured on the 1 GB file of
 * benchmarks/ingest.py: the numpy scan it replaced took ~3 s a GB, this ~1.2 s; the same loop
 * under numba ran about as fast but loading numba took ~200 MB of memory. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The walk's state, int64s kept by scan.py from one chunk to the next:
 * IN_STRING, ESCAPED (the last byte was a backslash in a string), DEPTH (brackets open);
 * ROOT and ARRAY (the wanted array): 0 not yet open, 1 open, 2 closed;
 * EXPECT, between the array's items: 0 an item or the end, 1 a comma or the end, 2 an item;
 * MATCHED: how many bytes of the open string match the name looked for, -1 when none can;
 *   at the top level also DOTTED (the name and a dot: a parser's path into the array, as
 *   "in_network.item" is) or ESCAPED (a backslash-u escape could spell it), keys left to a parser;
 * AFTER_KEY: 1 a string matching the name has closed (a colon makes it a key), 2 its colon is
 *   read; 3 a DOTTED or ESCAPED string has closed (a colon is a fault);
 * ITEM: where the open item began (in the file), -1 between items;
 * FIELD: 0 not in this item, 1 a plain string read, 2 uncertain (not a string, given twice,
 *   or a backslash somewhere in the item, since an escape could spell the name or the value);
 * VALUE, VALUE_END, HASH: where the field's value lies and its FNV-1a hash, so that numpy can
 *   set aside the unwanted items; FAULT, FAULT_AT: why and where the walk stopped, if it did;
 * CLOSED_AT: where the array closed, so that scan.py has a parser check what follows. */
enum {
    IN_STRING, ESCAPED, DEPTH, ROOT, ARRAY, EXPECT, MATCHED, AFTER_KEY,
    ITEM, FIELD, VALUE, VALUE_END, HASH, FAULT, FAULT_AT, CLOSED_AT, STATE_SIZE
};
enum { NO_MATCH = -1, DOTTED = -2, ESCAPED_NAME = -3 };
enum { VALUE_ABSENT = -2, VALUE_UNCERTAIN = -1 };
/* faults: at depth 0 only the root's brace may come, so brackets cannot close too many */
enum {
    NOT_AN_OBJECT = 1, SECOND_ARRAY, NOT_AMONG_ITEMS, ITEM_NOT_CLOSED, NOT_AN_ARRAY, UNCLEAR_KEY
};
#define FOUND_WIDTH 5 /* start, end, value start, value end, value hash */

static const uint64_t HASH_START = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bits */
static const uint64_t HASH_PRIME = 0x100000001b3ULL;

/* the bytes that change the state outside strings (compared, which measured faster than a
 * table looked up) */
static int is_stop(unsigned char byte)
{
    return byte == '"' || byte == '{' || byte == '}' || byte == '[' || byte == ']';
}

static int is_space(unsigned char byte)
{
    return byte == ' ' || byte == '\n' || byte == '\t' || byte == '\r';
}

/* Where the next quote or backslash is in data[i:size] (size when none is): the rest of a
 * string's text. Sixteen bytes at a time where SSE2 is (every x86-64): measured with stop_at,
 * the scan of benchmarks/ingest.py's file takes a fifth less time than byte by byte. */
static Py_ssize_t text_end(const unsigned char *data, Py_ssize_t i, Py_ssize_t size)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    for (; i + 16 <= size; i += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(data + i));
        int found = _mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
        if (found)
            return i + __builtin_ctz((unsigned)found);
    }
#endif
    while (i < size && data[i] != '"' && data[i] != '\\')
        i++;
    return i;
}

/* Where the next byte is_stop is in data[i:size] (size when none is): past numbers, literals,
 * colons, commas and spaces. Setting bit 0x20 makes [ and ] the { and } they differ from. */
static Py_ssize_t stop_at(const unsigned char *data, Py_ssize_t i, Py_ssize_t size)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), open = _mm_set1_epi8('{');
    const __m128i close = _mm_set1_epi8('}'), bit = _mm_set1_epi8(0x20);
    for (; i + 16 <= size; i += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(data + i));
        __m128i folded = _mm_or_si128(bytes, bit);
        __m128i brackets = _mm_or_si128(_mm_cmpeq_epi8(folded, open),
                                        _mm_cmpeq_epi8(folded, close));
        int found = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), brackets));
        if (found)
            return i + __builtin_ctz((unsigned)found);
    }
#endif
    while (i < size && !is_stop(data[i]))
        i++;
    return i;
}

typedef struct {
    const unsigned char *bytes;
    Py_ssize_t size;
} name_t;

/* Walks data[0:size], which begins at `offset` in the file, from state `s`; writes each item
 * of the array that closes here into `found` (at most `capacity`); returns how many. */
static Py_ssize_t walk(const unsigned char *data, Py_ssize_t size, int64_t offset, int64_t *s,
                       int64_t *found, Py_ssize_t capacity, name_t key, name_t field)
{
    int64_t in_string = s[IN_STRING], escaped = s[ESCAPED], depth = s[DEPTH];
    int64_t root = s[ROOT], array = s[ARRAY], expect = s[EXPECT];
    int64_t matched = s[MATCHED], after_key = s[AFTER_KEY];
    int64_t item = s[ITEM], field_state = s[FIELD], value = s[VALUE], value_end = s[VALUE_END];
    uint64_t hashed = (uint64_t)s[HASH];
    int64_t closed_at = s[CLOSED_AT];
    int64_t fault = 0;
    Py_ssize_t count = 0, i = 0;

    while (i < size) {
        unsigned char byte = data[i];
        if (in_string) {
            int capturing = field_state == 1 && value_end < 0;
            const name_t *name = depth == 1 ? &key : &field;
            if (escaped) { /* names are letters, digits and _: only a backslash-u could spell one */
                escaped = 0;
                if (matched >= 0)
                    matched = depth == 1 && byte == 'u' ? ESCAPED_NAME : NO_MATCH;
            } else if (byte == '\\') {
                escaped = 1;
                if (item >= 0)
                    field_state = 2;
            } else if (byte == '"') {
                in_string = 0;
                if (capturing)
                    value_end = offset + i;
                after_key = matched == name->size           ? 1
                            : matched == DOTTED || matched == ESCAPED_NAME ? 3
                                                                           : 0;
            } else if (matched < 0 && !capturing) { /* plain text: to its next " or \ */
                i = text_end(data, i + 1, size);
                continue;
            } else {
                if (capturing)
                    hashed = (hashed ^ byte) * HASH_PRIME;
                if (matched >= 0 && matched < name->size && byte == name->bytes[matched])
                    matched++;
                else if (matched >= 0)
                    matched = depth == 1 && matched == name->size && byte == '.' ? DOTTED
                                                                                 : NO_MATCH;
            }
            i++;
            continue;
        }
        int in_array = array == 1 && depth == 2; /* between the wanted array's items */
        if (after_key == 0 && depth > 0 && !in_array && !is_stop(byte)) {
            /* numbers, literals, colons, commas, spaces: on to the next quote or bracket */
            i = stop_at(data, i + 1, size);
            continue;
        }
        i++;
        if (is_space(byte))
            continue;
        if (after_key == 1) { /* a string matching the name closed: a key if a colon follows */
            after_key = byte == ':' ? 2 : 0;
            if (after_key == 2)
                continue;
        } else if (after_key == 3) { /* a top-level key a parser may read as the array's */
            if (byte == ':') {
                fault = UNCLEAR_KEY;
                break;
            }
            after_key = 0;
        } else if (after_key == 2) { /* the value of a key with the name begins here */
            after_key = 0;
            if (depth == 1) {
                if (array != 0 || byte != '[') {
                    fault = array != 0 ? SECOND_ARRAY : NOT_AN_ARRAY;
                    break;
                }
                array = 1;
                expect = 0;
            } else if (depth == 3 && array == 1) {
                if (field_state == 0 && byte == '"') {
                    field_state = 1;
                    value = offset + i;
                    value_end = -1;
                    hashed = HASH_START;
                } else {
                    field_state = 2;
                }
            }
        }
        if (depth == 0 && (root != 0 || byte != '{')) {
            fault = NOT_AN_OBJECT;
            break;
        }
        if (byte == '"') {
            if (in_array) {
                fault = NOT_AMONG_ITEMS;
                break;
            }
            in_string = 1;
            matched = depth == 1 || (depth == 3 && array == 1) ? 0 : NO_MATCH;
        } else if (byte == '{' || byte == '[') {
            if (in_array) {
                if (byte == '[' || expect == 1) {
                    fault = NOT_AMONG_ITEMS;
                    break;
                }
                item = offset + i - 1;
                field_state = 0;
                expect = 1;
            }
            if (depth == 0)
                root = 1;
            depth++;
        } else if (byte == '}' || byte == ']') {
            depth--;
            if (depth == 0)
                root = 2;
            if (array == 1 && depth == 2) { /* an item closes */
                if (byte != '}' || count >= capacity) {
                    fault = ITEM_NOT_CLOSED;
                    break;
                }
                int64_t *row = found + count * FOUND_WIDTH;
                row[0] = item;
                row[1] = offset + i - 1;
                row[2] = field_state == 1 ? value
                         : field_state == 0 ? VALUE_ABSENT : VALUE_UNCERTAIN;
                row[3] = value_end;
                row[4] = (int64_t)hashed;
                count++;
                item = -1;
            } else if (in_array) { /* the array closes */
                if (byte != ']' || expect == 2) {
                    fault = NOT_AMONG_ITEMS;
                    break;
                }
                array = 2;
                closed_at = offset + i - 1;
            }
        } else if (byte == ',') {
            if (in_array) {
                if (expect != 1) {
                    fault = NOT_AMONG_ITEMS;
                    break;
                }
                expect = 2;
            }
        } else if (in_array) {
            fault = NOT_AMONG_ITEMS;
            break;
        }
    }
    s[IN_STRING] = in_string, s[ESCAPED] = escaped, s[DEPTH] = depth;
    s[ROOT] = root, s[ARRAY] = array, s[EXPECT] = expect;
    s[MATCHED] = matched, s[AFTER_KEY] = after_key;
    s[ITEM] = item, s[FIELD] = field_state, s[VALUE] = value, s[VALUE_END] = value_end;
    s[HASH] = (int64_t)hashed, s[FAULT] = fault, s[FAULT_AT] = offset + i - 1;
    s[CLOSED_AT] = closed_at;
    return count;
}

static int int64_buffer(Py_buffer *view, Py_ssize_t at_least, const char *what)
{
    if (view->itemsize != 8 || view->len < at_least * 8) {
        PyErr_Format(PyExc_ValueError, "%s must be a writable int64 buffer of %zd or more",
                     what, at_least);
        return 0;
    }
    return 1;
}

static PyObject *py_walk(PyObject *Py_UNUSED(module), PyObject *args)
{
    Py_buffer data, state, found, key, field;
    long long offset;
    if (!PyArg_ParseTuple(args, "y*Lw*w*y*y*", &data, &offset, &state, &found, &key, &field))
        return NULL;
    Py_ssize_t count = -1;
    if (int64_buffer(&state, STATE_SIZE, "state") && int64_buffer(&found, 0, "found")) {
        Py_ssize_t capacity = found.len / (8 * FOUND_WIDTH);
        name_t key_name = {key.buf, key.len}, field_name = {field.buf, field.len};
        Py_BEGIN_ALLOW_THREADS
        count = walk(data.buf, data.len, offset, state.buf, found.buf, capacity, key_name,
                     field_name);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&data);
    PyBuffer_Release(&state);
    PyBuffer_Release(&found);
    PyBuffer_Release(&key);
    PyBuffer_Release(&field);
    return count < 0 ? NULL : PyLong_FromSsize_t(count);
}

static PyObject *py_value_hash(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_buffer value;
    if (PyObject_GetBuffer(arg, &value, PyBUF_SIMPLE) < 0)
        return NULL;
    uint64_t hashed = HASH_START;
    for (Py_ssize_t i = 0; i < value.len; i++)
        hashed = (hashed ^ ((const unsigned char *)value.buf)[i]) * HASH_PRIME;
    PyBuffer_Release(&value);
    return PyLong_FromLongLong((int64_t)hashed);
}

static PyMethodDef methods[] = {
    {"walk", py_walk, METH_VARARGS,
     "walk(chunk, offset, state, found, key, field) -> items closed in the chunk"},
    {"value_hash", py_value_hash, METH_O, "value_hash(value) -> the hash walk gives it"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_walk", NULL, 0, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__walk(void)
{
    return PyModule_Create(&module);
}
