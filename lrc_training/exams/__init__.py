"""Skill-level assessment: question bank, exam sessions, online exams, grading, results."""

from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams", template_folder="templates")
