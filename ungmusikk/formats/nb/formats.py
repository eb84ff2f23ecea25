"""How dates and times are written in Norwegian bokmål on the portal, as Språkrådet
recommends: 01.01.2014, 05.03.2020 kl. 10.00. Only the output formats differ from Django's
own (django/conf/locale/nb/formats.py), which also gives the input formats and the number
separators (a decimal comma, a no-break space between thousands)."""

DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = r"d.m.Y \k\l. H.i"
SHORT_DATETIME_FORMAT = r"d.m.Y \k\l. H.i"
TIME_FORMAT = "H.i"
