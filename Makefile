# tk - help-desk tickets from the shell. Plain make; see README.md.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
CFLAGS ?= -O2 -g
# Appended even when CFLAGS is given on the command line.
ALLCFLAGS = $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Ilib
# The commands are linked statically, the C library included (STATIC): a
# one-ticket command is mostly its own start, and loading ld.so and
# libc.so was a sixth of a tk-set (README.md, Dependencies). tk-mail,
# which loads GMime and GLib, the sanitizer build and the tests' own
# programs link the C library dynamically (LDLIBS), LMDB, PCRE2 and
# utf8proc statically; vg/bin has the commands linked dynamically for
# valgrind, which cannot follow malloc in a static program.
STATIC ?= -static
LDLIBS += -Wl,-Bstatic -llmdb -lpcre2-8 -lutf8proc -Wl,-Bdynamic -lcsv -lpthread -lm
STLIBS = -llmdb -lpcre2-8 -lutf8proc -lcsv -lpthread -lm
CMDLIBS = $(if $(STATIC),$(STLIBS),$(LDLIBS))

# GMime 3 (and through it GLib) is linked dynamically into tk-mail alone:
# only lib/mail.c includes it, so the other commands never load it and
# keep their start-up (README.md says why GMime).
GMIME_CFLAGS = $(shell pkg-config --cflags gmime-3.0 2>/dev/null)
GMIME_LIBS = $(shell pkg-config --libs gmime-3.0 2>/dev/null)

# O is the build directory: "." for the normal build, "asan" for the
# sanitizer build that make check also runs.
O ?= .
CMDS = tk tk-new tk-ls tk-show tk-set tk-comment tk-log tk-import tk-export tk-agent tk-assign tk-route tk-link tk-mail tk-kb tk-config tk-notify tk-contact tk-org tk-sla
LIBSRC = $(wildcard lib/*.c)
LIBOBJ = $(patsubst %.c,$(O)/%.o,$(LIBSRC))
BINS = $(addprefix $(O)/bin/,$(CMDS))
SANFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

all: $(BINS) $(O)/tests/unit $(O)/tests/calendar

$(O)/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(O)/lib
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(O)/lib/mail.o: lib/mail.c $(wildcard lib/*.h)
	@mkdir -p $(O)/lib
	$(CC) $(ALLCFLAGS) $(GMIME_CFLAGS) -c -o $@ $<

$(O)/lib/libtk.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

$(O)/bin/%: cmd/%.c $(O)/lib/libtk.a $(wildcard lib/*.h)
	@mkdir -p $(O)/bin
	$(CC) $(ALLCFLAGS) $(LDFLAGS) $(STATIC) -o $@ $< $(O)/lib/libtk.a $(CMDLIBS)

# The same commands linked dynamically, for tests/t0950-valgrind.t.
vg: $(addprefix vg/bin/,$(filter-out tk-mail,$(CMDS))) vg/bin/tk-mail
vg/bin/%: cmd/%.c lib/libtk.a $(wildcard lib/*.h)
	@mkdir -p vg/bin
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $< lib/libtk.a $(LDLIBS)
vg/bin/tk-mail: bin/tk-mail
	@mkdir -p vg/bin
	cp bin/tk-mail $@

$(O)/bin/tk-mail: cmd/tk-mail.c $(O)/lib/libtk.a $(wildcard lib/*.h)
	@mkdir -p $(O)/bin
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $< $(O)/lib/libtk.a $(LDLIBS) $(GMIME_LIBS)

$(O)/tests/unit: tests/unit.c $(wildcard tests/*.h) $(O)/lib/libtk.a $(wildcard lib/*.h)
	@mkdir -p $(O)/tests
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $< $(O)/lib/libtk.a $(LDLIBS)

$(O)/tests/calendar: tests/calendar.c $(O)/lib/libtk.a $(wildcard lib/*.h)
	@mkdir -p $(O)/tests
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $< $(O)/lib/libtk.a $(LDLIBS)

# Packages a fresh Debian machine lacks, installed when missing.
DEPS = gcc make liblmdb-dev libpcre2-dev libcsv-dev libutf8proc-dev perl clang libclang-rt-14-dev mandoc lmdb-utils valgrind strace time bash-completion zsh fish libgmime-3.0-dev pkg-config libbusiness-hours-perl
deps:
	@sh tools/deps.sh $(DEPS)

# What the mail tests use when present (skipped, saying so, when not): a
# real MTA (Postfix, set up for local delivery only) and a corpus of real
# messages (enmime's test data).
MAILDEPS = postfix golang-github-jhillyerd-enmime-dev
deps-mail:
	@sh tools/deps.sh $(MAILDEPS)

# The whole suite on the normal build, then again under AddressSanitizer
# and UndefinedBehaviorSanitizer, then a short fuzz run.
check: deps
	$(MAKE) all vg
	sh tests/run.sh bin
	$(MAKE) asan
	ASAN_OPTIONS=detect_leaks=1 sh tests/run.sh asan/bin
	$(MAKE) fuzz-quick

asan:
	$(MAKE) O=asan CFLAGS="$(SANFLAGS)" LDFLAGS="$(SANFLAGS)" STATIC= all

# libFuzzer targets for the record reader and the filter parser.
FUZZ = record filter csv json mail mime
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Ilib
fuzz-bin/%: tests/fuzz/%.c $(wildcard tests/*.h) $(LIBSRC) $(wildcard lib/*.h)
	@mkdir -p fuzz-bin
	clang $(FUZZFLAGS) $(GMIME_CFLAGS) -o $@ $< $(LIBSRC) $(LDLIBS) $(GMIME_LIBS)

fuzz-quick: $(addprefix fuzz-bin/,$(FUZZ))
	for f in $(FUZZ); do mkdir -p fuzz-bin/corpus-$$f; \
	  fuzz-bin/$$f -max_total_time=10 -max_len=4096 fuzz-bin/corpus-$$f tests/fuzz/seed-$$f 2>fuzz-bin/$$f.log || \
	  { tail -40 fuzz-bin/$$f.log; exit 1; }; done; echo "fuzz: no crash in 10 s per target"

fuzz: $(addprefix fuzz-bin/,$(FUZZ))
	for f in $(FUZZ); do mkdir -p fuzz-bin/corpus-$$f; \
	  fuzz-bin/$$f -max_total_time=$${FUZZ_SECONDS:-300} fuzz-bin/corpus-$$f tests/fuzz/seed-$$f || exit 1; done

demo: deps
	$(MAKE) all
	sh examples/demo.sh

BENCHDEPS = sqlite3 hyperfine time python3 grep
bench: deps
	@sh tools/deps.sh $(BENCHDEPS)
	$(MAKE) all
	sh bench/run.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	mkdir -p $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	cp $(BINS) $(DESTDIR)$(BINDIR)/
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/*.5 $(DESTDIR)$(MANDIR)/man5/
	cp man/*.7 $(DESTDIR)$(MANDIR)/man7/
	cp completions/tk.bash $(DESTDIR)$(BASHCOMPDIR)/tk
	for c in $(CMDS); do ln -sf tk $(DESTDIR)$(BASHCOMPDIR)/$$c; done
	cp completions/_tk $(DESTDIR)$(ZSHCOMPDIR)/_tk
	cp completions/tk.fish $(DESTDIR)$(FISHCOMPDIR)/tk.fish

uninstall:
	for c in $(CMDS); do rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(MANDIR)/man1/$$c.1 $(DESTDIR)$(BASHCOMPDIR)/$$c; done
	rm -f $(DESTDIR)$(MANDIR)/man5/tk-records.5 $(DESTDIR)$(MANDIR)/man7/tk.7
	rm -f $(DESTDIR)$(BASHCOMPDIR)/tk $(DESTDIR)$(ZSHCOMPDIR)/_tk $(DESTDIR)$(FISHCOMPDIR)/tk.fish

clean:
	rm -rf bin asan vg fuzz-bin lib/*.o lib/libtk.a tests/unit tests/calendar

.PHONY: all vg deps deps-mail check asan fuzz fuzz-quick demo bench install uninstall clean
