# Databricks notebook source
print("hello")
