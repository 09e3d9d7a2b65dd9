# tk - help-desk tickets from the shell. Plain make; see README.md.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Ilib
LDLIBS += -llmdb -lpcre2-8

CMDS = tk tk-new tk-ls tk-show tk-set tk-comment tk-log
LIBSRC = $(wildcard lib/*.c)
LIBOBJ = $(LIBSRC:.c=.o)
BINS = $(addprefix bin/,$(CMDS))

all: $(BINS) tests/unit

lib/libtk.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

$(LIBOBJ): lib/tk.h

bin/%: cmd/%.c lib/libtk.a lib/tk.h
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libtk.a $(LDLIBS)

tests/unit: tests/unit.c lib/libtk.a lib/tk.h
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libtk.a $(LDLIBS)

# Packages a fresh Debian machine lacks, installed when missing.
DEPS = gcc make liblmdb-dev libpcre2-dev libcsv-dev perl clang libclang-rt-14-dev
deps:
	@sh tools/deps.sh $(DEPS)

check: deps
	$(MAKE) all
	sh tests/run.sh bin
	$(MAKE) asan
	sh tests/run.sh asan/bin
	$(MAKE) fuzz-quick

asan:
	$(MAKE) -f Makefile.san

fuzz-quick:
	$(MAKE) -f Makefile.fuzz quick

fuzz:
	$(MAKE) -f Makefile.fuzz long

demo: deps
	$(MAKE) all
	sh examples/demo.sh

bench: deps
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
	rm -rf bin asan fuzz-bin lib/*.o lib/libtk.a tests/unit tests/trash.*

.PHONY: all deps check asan fuzz fuzz-quick demo bench install uninstall clean
