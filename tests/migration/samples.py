"""Sample repositories, one per supported language, as ``path -> content``."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLES: dict[str, dict[str, str]] = {
    "python": {
        "requirements.txt": "flask==3.0\nrequests\npdf2image\n",
        ".python-version": "3.12\n",
        "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "bot/update.py": "import os\nPATH = os.path.expanduser('~/data.json')\n",
        "bot/run.sh": "#!/bin/bash\n#$ -mem 1g\npython bot/update.py\n",
    },
    "php": {
        "composer.json": json.dumps({"require": {"php": "^8.2"}}),
        "composer.lock": "{}",
        "public/index.php": "<?php\n$f = new IntlDateFormatter('en', 1, 1);\n",
    },
    "nodejs": {
        "package.json": json.dumps(
            {
                "name": "mytool",
                "scripts": {"start": "node server.js"},
                "dependencies": {"express": "^4"},
                "engines": {"node": "20.x"},
            }
        ),
        "package-lock.json": "{}",
        "server.js": "const app = require('express')();\napp.listen(process.env.PORT);\n",
    },
    "java": {
        "pom.xml": "<project><parent><artifactId>spring-boot-starter-parent</artifactId>"
        "</parent></project>",
        "system.properties": "java.runtime.version=17\n",
        "src/main/java/App.java": "class App {}\n",
    },
    "go": {
        "go.mod": "module example.org/tools/mytool\n\ngo 1.22\n",
        "main.go": 'package main\nimport "net/http"\n'
        'func main() { http.ListenAndServe(":8000", nil) }\n',
    },
    "ruby": {
        "Gemfile": "source 'https://rubygems.org'\nruby '3.3.0'\ngem 'sinatra'\n",
        "Gemfile.lock": "",
        "config.ru": "run Sinatra::Application\n",
    },
    "rust": {"Cargo.toml": '[package]\nname = "mytool"\n', "src/main.rs": "fn main() {}\n"},
}

# language -> (buildpack, pinned version, web framework, Procfile web command)
EXPECTED: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "python": ("heroku/python", "3.12", "flask", "gunicorn --bind 0.0.0.0:$PORT app:app"),
    "php": ("heroku/php", "^8.2", "php", "heroku-php-apache2 public/"),
    "nodejs": ("heroku/nodejs", "20.x", "express", "npm start"),
    "java": (
        "heroku/java",
        "17",
        "spring-boot",
        "java -Dserver.port=$PORT $JAVA_OPTS -jar target/*.jar",
    ),
    "go": ("heroku/go", "1.22", "go net/http", "/layers/heroku_go/go_target/bin/mytool"),
    "ruby": ("heroku/ruby", "3.3.0", "rack", "bundle exec rackup -o 0.0.0.0 -p $PORT"),
    "rust": ("toolforge rust buildpack", None, None, None),
}

# A grid-era Python tool: uWSGI layout, a crontab, NFS paths, no dependency file at the root.
GRID_TOOL: dict[str, str] = {
    "requirements.txt": "flask\n",
    "www/python/src/app.py": "from flask import Flask\napp = Flask(__name__)\n"
    "CNF = '/data/project/mytool/replica.my.cnf'\n",
    "www/python/uwsgi.ini": "[uwsgi]\nstatic-map = /static=/data/project/mytool/static\n",
    "bot/refresh.py": "print('refresh')\n",
    "bot/ircbot.sh": "#!/bin/bash\nexec python3 bot/irc.py\n",
    "bot/irc.py": "import subprocess\nsubprocess.run(['ffmpeg', '-i', 'x'])\n",
}

GRID_CRONTAB = """\
PATH=/usr/local/bin:/usr/bin:/bin
0 */6 * * * jsub -once -N refresh -mem 2g python3 $HOME/bot/refresh.py --all
*/10 * * * * jstart -N ircbot $HOME/bot/ircbot.sh
@daily jsub -N cleanup php $HOME/public_html/cron/cleanup.php
webservice --backend=gridengine uwsgi-python start
"""


def write_repo(root: Path, files: dict[str, str], executable: frozenset[str] = frozenset()) -> Path:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        target.chmod(0o755 if path in executable else 0o644)
    return root
