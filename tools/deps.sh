#!/bin/sh
# Install the Debian packages named as arguments that are not installed yet.
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# Postfix asks what kind of mail system this is: only local delivery.
case " $missing " in
*" postfix "*) echo 'postfix postfix/main_mailer_type select Local only' | $SUDO debconf-set-selections ;;
esac
$SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
