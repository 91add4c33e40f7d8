"""A deliberately vulnerable order service, used only to produce example scanner reports."""
import hashlib
import pickle
import sqlite3
import subprocess

import requests
import yaml
from flask import Flask, request

app = Flask(__name__)
DB_PASSWORD = "hunter2-prod-password"


@app.route("/orders")
def orders():
    customer = request.args.get("customer", "")
    db = sqlite3.connect("orders.db")
    # SQL built from user input.
    rows = db.execute("SELECT * FROM orders WHERE customer = '" + customer + "'").fetchall()
    return {"orders": rows}


@app.route("/export")
def export():
    name = request.args.get("name", "report")
    subprocess.call("tar czf /tmp/" + name + ".tgz /srv/orders", shell=True)
    return "ok"


@app.route("/import", methods=["POST"])
def import_orders():
    return {"orders": pickle.loads(request.data)}


@app.route("/config", methods=["POST"])
def load_config():
    return yaml.load(request.data, Loader=yaml.Loader)


def checksum(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def fetch_rates():
    return requests.get("https://rates.example.com/latest", verify=False, timeout=5).json()


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
