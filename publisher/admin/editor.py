"""placeholder"""

from flask import Blueprint

bp = Blueprint("editor", __name__, url_prefix="/admin")
